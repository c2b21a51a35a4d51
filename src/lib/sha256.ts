/**
 * SHA-256 of a UTF-8 string, as lower-case hex. node:crypto's hash is one native call, where WebCrypto's
 * digest is a promise and a hex loop in JavaScript: a refresh hashes two tokens (npm run bench:profile
 * refresh). It stays async, so callers would not change if the implementation did.
 */
import { createHash } from 'node:crypto';

export async function sha256Hex(text: string): Promise<string> {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
