/**
 * A bench-only Worker (`npm run bench:argon2`): Argon2id from a statically imported WebAssembly module
 * (@phi-ag/argon2's argon2.wasm, a CompiledWasm module as production Workers require: they refuse to
 * compile WebAssembly from bytes at runtime) against today's scrypt hash, both with no I/O, so the latency
 * of one request is its CPU time plus a small constant (measured by GET /noop).
 */
import Argon2, { Argon2Type, Argon2Version } from '@phi-ag/argon2';
import wasm from '@phi-ag/argon2/argon2.wasm';
import { hashPassword } from '../../src/lib/passwords/scrypt-hasher';

/** OWASP Password Storage Cheat Sheet's first choice: Argon2id, 19 MiB, 2 iterations, 1 lane. */
const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const PASSWORD = 'correct horse battery staple';

let loaded: Promise<{ argon2: Argon2; memory: WebAssembly.Memory }> | undefined;
// Instantiating an already compiled Module is allowed in production; compiling bytes is not.
const load = () =>
  (loaded ??= WebAssembly.instantiate(wasm).then((instance) => ({
    argon2: new Argon2(instance),
    memory: instance.exports.memory as WebAssembly.Memory,
  })));

const hashArgon2id = (a: Argon2, password: string, options: Record<string, unknown>) =>
  a.hash(password, { hashLength: 32, type: Argon2Type.Argon2id, version: Argon2Version.Version13, ...options });

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const repeat = Number(url.searchParams.get('repeat') ?? 1);
    if (url.pathname === '/scrypt') {
      for (let i = 0; i < repeat; i++) await hashPassword(PASSWORD);
      return new Response('ok');
    }
    if (url.pathname === '/argon2') {
      const { argon2, memory } = await load();
      for (let i = 0; i < repeat; i++) hashArgon2id(argon2, PASSWORD, OWASP);
      return Response.json({ wasmMemoryBytes: memory.buffer.byteLength });
    }
    // One Argon2id hash with given inputs, to check against known answers: ?password=&salt=&m=&t=&p=
    if (url.pathname === '/argon2/vector') {
      const { argon2 } = await load();
      const q = (name: string) => url.searchParams.get(name) ?? '';
      const { encoded } = hashArgon2id(argon2, q('password'), {
        salt: new TextEncoder().encode(q('salt')),
        memoryCost: Number(q('m')),
        timeCost: Number(q('t')),
        parallelism: Number(q('p')),
      });
      return Response.json({ encoded });
    }
    return new Response('ok');
  },
};
