// Runs before the Scalar bundle. A file of its own because the page's CSP refuses inline scripts.
// Scalar validates with Zod, which probes for eval (`Function("")`) unless told not to. The CSP forbids eval, so the
// probe would only raise a CSP violation report; `jitless` is Zod's documented switch for CSP-restricted pages.
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
