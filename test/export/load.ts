/**
 * Reads an exported folder as a web page would, with the core's own
 * functions: the index, then the files it names.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  loadTrustedRoot,
  validatePolicy,
  type InMemoryChainOptions,
} from '../../src/core/index.js';
import type { ExportIndex } from '../../src/export/collect.js';

/** The index and the options of `verifyChainInMemory` it leads to. */
export interface LoadedExport {
  index: ExportIndex;
  options: InMemoryChainOptions;
}

/** Loads `out/provenance.json` and everything it names. */
export async function loadExport(out: string): Promise<LoadedExport> {
  const read = (name: string) => readFile(join(out, name));
  const json = async (name: string | undefined): Promise<unknown> => {
    if (name === undefined) throw new Error('expected the file in the index');
    return JSON.parse((await read(name)).toString('utf8'));
  };
  const index = (await json('provenance.json')) as ExportIndex;
  return {
    index,
    options: {
      bundles: await Promise.all(index.bundles.map(read)),
      manifests: await Promise.all(index.manifests.map(read)),
      files: index.files,
      policy: validatePolicy(await json(index.policy)),
      trustedRoot: loadTrustedRoot(await json(index.trustedRoot)),
      modelName: index.model,
    },
  };
}
