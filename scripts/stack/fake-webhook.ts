/**
 * Stands in for an alert receiver (a Slack incoming webhook, or a service taking the signed JSON),
 * which cannot be reached here. It records each post with the time it arrived, and answers as a test
 * scripts it (a 500, a 429 with Retry-After, ...), then 200 as Slack does ("ok").
 *   POST /webhook/{name}            a post (recorded)
 *   GET  /webhook/{name}/posts      {"posts": [{receivedAt, headers, body}]}
 *   PUT  /webhook/{name}/script     {"responses": [{"status": 429, "retryAfter": "1"}, ...]}: the next answers
 *   DELETE /webhook/{name}          forget its posts and script
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Post {
  receivedAt: number;
  headers: Record<string, string>;
  body: string;
}
interface Scripted {
  status: number;
  retryAfter?: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function fakeWebhook() {
  const hooks = new Map<string, { posts: Post[]; script: Scripted[] }>();
  const hook = (name: string) => {
    let found = hooks.get(name);
    if (!found) hooks.set(name, (found = { posts: [], script: [] }));
    return found;
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const match = /^\/webhook\/([\w-]{1,64})(\/posts|\/script)?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) return false;
    const [, name = '', tail] = match;
    if (req.method === 'POST' && !tail) {
      const body = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      hook(name).posts.push({ receivedAt: Date.now(), headers, body });
      const next = hook(name).script.shift() ?? { status: 200 };
      res.writeHead(next.status, {
        'content-type': 'text/plain',
        ...(next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter }),
      });
      res.end(next.status === 200 ? 'ok' : 'failed');
      return true;
    }
    if (req.method === 'GET' && tail === '/posts') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ posts: hook(name).posts }));
      return true;
    }
    if (req.method === 'PUT' && tail === '/script') {
      hook(name).script = (JSON.parse(await readBody(req)) as { responses: Scripted[] }).responses;
      res.writeHead(204).end();
      return true;
    }
    if (req.method === 'DELETE' && !tail) {
      hooks.delete(name);
      res.writeHead(204).end();
      return true;
    }
    return false;
  };
}
