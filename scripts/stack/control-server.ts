/**
 * A loopback-only HTTP switchboard for the stack, so tests running inside workerd (which cannot
 * spawn processes) can stop and restart Redis or Postgres and watch the service degrade and recover.
 *   POST /redis/stop  POST /redis/start  POST /postgres/stop  POST /postgres/start  GET /status
 * It also serves the stand-ins for Google's JWKS (fake-google-keys.ts) and Sentry's ingest (fake-sentry.ts).
 */
import { createServer } from 'node:http';
import { fakeGoogleKeys } from './fake-google-keys.ts';
import { fakeSentry } from './fake-sentry.ts';
import { fakeWebhook } from './fake-webhook.ts';

export interface Switchable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export function startControlServer(port: number, parts: Record<string, Switchable>): Promise<ControlServer> {
  const stubs = [fakeGoogleKeys(), fakeSentry(), fakeWebhook()];
  const server = createServer(async (req, res) => {
    for (const stub of stubs) {
      const served = await stub(req, res).catch(() => {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request to a stand-in"}');
        return true;
      });
      if (served) return;
    }
    const [, part, action] = (req.url ?? '').split('/');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && part === 'status') return reply(200, { parts: Object.keys(parts) });
    const target = part ? parts[part] : undefined;
    if (req.method !== 'POST' || !target || (action !== 'stop' && action !== 'start')) {
      return reply(404, { error: 'use POST /<part>/stop|start', parts: Object.keys(parts) });
    }
    target[action]().then(
      () => reply(200, { [part as string]: action === 'stop' ? 'stopped' : 'started' }),
      (err: unknown) => reply(500, { error: String(err) }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}
