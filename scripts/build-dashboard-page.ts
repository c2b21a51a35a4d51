/**
 * `npm run build:page`: the dashboard page (src/functions/dashboard/page/) into dist/dashboard-page/,
 * which the dashboard Worker serves as static assets. wrangler runs it before `dev` and `deploy` (the
 * dashboard's wrangler.toml [build]); vitest.config.ts runs it before the dashboard's tests. Plain
 * TypeScript and DOM bundled by esbuild, uPlot included: no third-party origin at run time.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { repoRoot } from './stack/profile.ts';

export const pageSource = join(repoRoot, 'src/functions/dashboard/page');
export const pageOutdir = join(repoRoot, 'dist/dashboard-page');

export interface PageBuild {
  outdir: string;
  /** app.js, minified and gzipped (level 9): the budget is 100 KB. */
  scriptGzipBytes: number;
}

export async function buildDashboardPage(outdir = pageOutdir): Promise<PageBuild> {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(pageSource, 'main.ts'), styles: join(pageSource, 'styles.css') },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'error',
  });
  copyFileSync(join(pageSource, 'index.html'), join(outdir, 'index.html'));
  return { outdir, scriptGzipBytes: gzipSync(readFileSync(join(outdir, 'app.js')), { level: 9 }).length };
}

if (import.meta.main) {
  const { outdir, scriptGzipBytes } = await buildDashboardPage();
  console.log(`[page] built ${outdir} (app.js ${(scriptGzipBytes / 1024).toFixed(1)} KB gzipped)`);
}
