/**
 * Stands in for Google's JWKS endpoint (https://www.googleapis.com/oauth2/v3/certs), which cannot be
 * reached here. Tests publish the public keys of the ID tokens they mint; the Worker fetches them
 * through its configurable GOOGLE_JWKS_URL exactly as it would fetch Google's.
 *   PUT /google/keys   body {"keys": [JWK, ...]}: adds (or replaces, by kid) public keys
 *   GET /google/jwks.json                       : {"keys": [...]}, like Google's
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Jwk = { kid?: string; d?: string } & Record<string, unknown>;

export function fakeGoogleKeys() {
  const keys = new Map<string, Jwk>();

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.url === '/google/jwks.json' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' });
      res.end(JSON.stringify({ keys: [...keys.values()] }));
      return true;
    }
    if (req.url === '/google/keys' && req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { keys?: Jwk[] };
      for (const jwk of body.keys ?? []) {
        if (!jwk.kid || jwk.d) continue; // public keys with a kid only
        keys.set(jwk.kid, jwk);
      }
      res.writeHead(204).end();
      return true;
    }
    return false;
  };
}
