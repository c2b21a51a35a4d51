import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

/** WebCrypto's answer, the one stored hashes (refresh tokens, fingerprints) were made with. */
async function webCryptoHex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 test vectors', async () => {
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes, as WebCrypto did, for non-ASCII text and a lone surrogate alike', async () => {
    for (const text of ['pässwörd', '日本語のトークン', '\u{1F511}key', 'lone \uD800 surrogate', 'x'.repeat(10_000)])
      expect(await sha256Hex(text)).toBe(await webCryptoHex(text));
  });
});
