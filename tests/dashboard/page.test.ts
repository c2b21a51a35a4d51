/**
 * The dashboard page (contract: `GET /`) as the Worker serves it: the built files from its static
 * assets, with a strict Content-Security-Policy and the framing and sniffing headers; the config the
 * page reads; and the API's own 404s untouched. The page itself is driven in a real browser by
 * tests/browser/dashboard-page.test.ts.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const get = (path: string) => exports.default.fetch(new Request(`http://dashboard.test${path}`));

function expectPageHeaders(res: Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
}

describe('dashboard page', () => {
  it('GET / is the page: HTML naming its own script and stylesheet, no inline script or style', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).toContain('href="/styles.css"');
    expect(html).not.toMatch(/<script>|<script type="module">|style="|<style/);
    expect(html).toMatch(/<label for="email">Email<\/label>/);
    expect(html).toMatch(/<label for="password">Password<\/label>/);
  });

  it('serves the script and the stylesheet with their types and the same headers', async () => {
    const script = await get('/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expectPageHeaders(script);
    expect((await script.text()).length).toBeGreaterThan(1000);
    const css = await get('/styles.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('GET /config.json says where the auth Worker is (empty: this origin), with no secret', async () => {
    const res = await get('/config.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ authOrigin: '' });
    // The CSP lets the page reach only this origin when the auth Worker is here too.
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self';");
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/config.json');
  });

  it('leaves the API alone: an unknown /api path is still a JSON 404, a file that is not there a 404', async () => {
    const api = await get('/api/auth/security/nope');
    expect(api.status).toBe(401); // every /api route asks for an admin first
    const missing = await get('/no-such-file.js');
    expect(missing.status).toBe(404);
  });
});
