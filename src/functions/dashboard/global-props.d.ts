// `wrangler types` leaves this out once wrangler.toml has a [build] command (it then takes `main` for
// a build output); the tests' `exports.default` needs it, so it is stated here, as wrangler wrote it.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('./index');
  }
}
