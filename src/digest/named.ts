import { basename } from 'node:path';

import type { Manifest } from './model.js';

/**
 * The manifest's entries as named artifacts: a single-file model's one
 * entry (path `.` in the OpenSSF Model Signing format) takes the file's
 * name, so that statements name a file by something a reader recognizes.
 */
export function namedEntries(
  modelPath: string,
  manifest: Manifest,
): { name: string; sha256: string }[] {
  return manifest.entries.map((e) => ({
    name: e.path === '.' ? basename(modelPath) : e.path,
    sha256: e.sha256,
  }));
}
