/** Driving the dashboard page as a person would: by labels, roles and accessible names. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Everything the page says in the console, every page error, and every origin it requests. */
export function watch(page: Page) {
  const seen = { errors: [] as string[], origins: new Set<string>() };
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => seen.errors.push(err.message));
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol !== 'data:') seen.origins.add(url.origin);
  });
  return seen;
}

/** Opens the page at `origin` and signs in through its form, as a person would. */
export async function signInAt(page: Page, origin: string, email: string, password: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The figure a tile shows, read by its accessible name (a region labelled by its title). */
export const tile = (page: Page, title: string) =>
  page.getByRole('region', { name: title, exact: true }).locator('.figure').innerText();

/** Confirms the in-page dialog an action opens (its confirm button is named after the action). */
export async function confirmDialog(page: Page, action: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await dialog.getByRole('button', { name: action, exact: true }).click();
}
