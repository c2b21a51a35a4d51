/**
 * The access-token keys: one private key signs (the newest), and every key still in rotation is
 * published in the JWKS so tokens signed before a rotation keep verifying until they expire.
 */
import { importJWK, type CryptoKey, type JWK } from 'jose';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
}

export interface KeySet {
  signing: SigningKey;
  /** Public JWKs: the signing key's own, then older ones still in rotation. */
  publicJwks: JWK[];
}

// Private members, and `key_ops`/`ext` from WebCrypto exports: a published key with key_ops ["sign"]
// would be skipped by verifiers (jose among them), and every token would fail to verify.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'key_ops', 'ext'] as const;

export function toPublicJwk(jwk: JWK): JWK {
  const copy: JWK = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return { ...copy, use: 'sig' };
}

export async function loadKeySet(
  privateJwk: JWK & { kid: string; alg: SigningAlgorithm },
  previousPublicJwks: JWK[],
): Promise<KeySet> {
  const key = (await importJWK(privateJwk, privateJwk.alg)) as CryptoKey;
  const current = toPublicJwk(privateJwk);
  const older = previousPublicJwks.filter((jwk) => jwk.kid !== privateJwk.kid).map(toPublicJwk);
  return { signing: { kid: privateJwk.kid, alg: privateJwk.alg, key }, publicJwks: [current, ...older] };
}
