/**
 * Stands in for Sentry's ingest (which cannot be reached here): it accepts envelopes at the DSN's
 * `/api/{project}/envelope/` path as Sentry would, and lets tests read them back, to prove what an
 * error report or security signal carries, and that no secret is in it.
 *   POST /api/{project}/envelope/   an envelope (newline-delimited JSON)
 *   GET  /sentry/envelopes          {"envelopes": [text, ...]}
 *   DELETE /sentry/envelopes        forget them
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export function fakeSentry() {
  const envelopes: string[] = [];

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && /^\/api\/\d+\/envelope\/?$/.test(path)) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      envelopes.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return true;
    }
    if (path === '/sentry/envelopes' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ envelopes }));
      return true;
    }
    if (path === '/sentry/envelopes' && req.method === 'DELETE') {
      envelopes.length = 0;
      res.writeHead(204).end();
      return true;
    }
    return false;
  };
}
