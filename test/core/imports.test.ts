/**
 * The core must run without Node: no module it reaches in our own sources
 * may import a Node built-in. Each source is compiled as tsc compiles it
 * (type-only imports vanish; `import { type X }` stays as a module load
 * under verbatimModuleSyntax), and its imports are followed from there.
 * Third-party modules are checked by the browser build, which fails on a
 * Node built-in it cannot replace (scripts/build-browser.js).
 */
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const CORE = join(SRC, 'core', 'index.ts');

/** Module specifiers that the emitted JavaScript of `file` loads. */
function importsOf(file: string): string[] {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  const info = ts.preProcessFile(outputText, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** Every source file reached from `entry`, with its outside imports. */
function graph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    const outside: string[] = [];
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      } else {
        outside.push(spec);
      }
    }
    seen.set(file, outside);
  }
  return seen;
}

describe('model-provenance/core', () => {
  const modules = graph(CORE);

  it('reaches the chain verifier (the walk is not vacuous)', () => {
    const files = [...modules.keys()].map((f) => relative(SRC, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'chain/load.ts',
        'chain/analyze.ts',
        'verify/attestation.ts',
        'verify/strict-bundle.ts',
        'verify/trusted-root.ts',
      ]),
    );
  });

  it('imports no Node built-in from our own sources', () => {
    const builtins = [...modules].flatMap(([file, specs]) =>
      specs
        .filter((s) => s.startsWith('node:') || isBuiltin(s))
        .map((s) => `${relative(SRC, file)}: ${s}`),
    );
    expect(builtins).toEqual([]);
  });

  it('would catch one: the Node entry does import built-ins', () => {
    const node = graph(join(SRC, 'index.ts'));
    const specs = [...node.values()].flat();
    expect(specs).toContain('node:crypto');
  });
});
