// Bundles the core (dist/core/index.js, compiled by tsc first) into one ES
// module for browsers and edge runtimes: dist/browser/core.js. Sigstore's
// libraries ask for Node's `crypto` and `util` and use the global `Buffer`;
// the bundle gets the portable modules of dist/shims instead, and the
// `buffer` package wherever `Buffer` is named. Any other Node built-in that
// the core reached would fail this build, which is the point.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { build } from 'esbuild';

const dist = join(import.meta.dirname, '..', 'dist');
const out = join(dist, 'browser', 'core.js');
const inject = join(dist, 'shims', 'buffer-global.js');

// esbuild's inject needs a file: it exports what a free `Buffer` becomes.
mkdirSync(join(dist, 'shims'), { recursive: true });
writeFileSync(inject, "export { Buffer } from 'buffer';\n");

// The policy module imports `yaml` for parsePolicy, which the core leaves
// out (it takes the policy as an object); `yaml` declares no sideEffects
// field, so without this esbuild would keep its 33 KiB of module code.
const unusedYaml = {
  name: 'yaml-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

const result = await build({
  entryPoints: [join(dist, 'core', 'index.js')],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'eof',
  alias: {
    crypto: join(dist, 'shims', 'crypto.js'),
    util: join(dist, 'shims', 'util.js'),
  },
  inject: [inject],
  // protobuf-specs reads `globalThis.Buffer`: the same import, no global.
  define: { 'globalThis.Buffer': 'Buffer' },
  logLevel: 'warning',
  metafile: true,
  plugins: [unusedYaml],
});

// A Node built-in that the core reached and no alias replaces fails the
// build above (esbuild cannot resolve it for the browser). What is left to
// check is what the bundle still imports at run time: an external import
// (`node:*`, a bare package) would fail in a browser, so none is allowed.
const external = Object.values(result.metafile.outputs).flatMap((o) =>
  o.imports.filter((i) => i.external).map((i) => i.path),
);
if (external.length > 0) {
  throw new Error(
    `the browser bundle imports at run time: ${[...new Set(external)].join(', ')}`,
  );
}
const inputs = Object.keys(result.metafile.inputs);
const kb = (statSync(out).size / 1024).toFixed(0);
console.log(`dist/browser/core.js: ${kb} KiB from ${inputs.length} modules`);
