/**
 * Step 4, repackage: the release bundle, with labels and a model card.
 */
import { join } from 'node:path';
import { ADAPTER_CONFIG_FILE, ADAPTER_FILE } from './adapter.js';
import { ADAPTER_DIR } from './attach.js';
import { DemoModelError } from './errors.js';
import { CONFIG_FILE, MODEL_FILE } from './export.js';
import {
  isRecord,
  jsonBytes,
  prepareOutDir,
  readInput,
  readJsonObject,
  writeOutput,
} from './files.js';
import { labelsFor } from './labels.js';
import { modelCard } from './model-card.js';

/** The labels file of a bundle. */
export const LABELS_FILE = 'labels.json';

/** The model card of a bundle. */
export const README_FILE = 'README.md';

/**
 * Build the final bundle in `outDir` from the model in `inDir`:
 * model.safetensors and config.json unchanged, the adapter's files when it
 * is side-loaded, labels.json (when the architecture has classes, e.g.
 * `["face"]` for the face detectors) and a README.md model card (name,
 * version, source package and its license, steps, files and sizes).
 *
 * @param card - The release's name and version and the steps applied.
 * @returns The files written, POSIX paths relative to `outDir`.
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID` for a card with empty
 *   fields or control characters; `DEMO_MODEL_MISSING`,
 *   `DEMO_MODEL_INVALID` for unreadable input; `DEMO_WRITE_FAILED`.
 * @example
 * ```ts
 * await repackage('out/3', 'out/release', {
 *   name: 'face-detector-int8', version: '1.0.0', steps: ['export'],
 * });
 * ```
 */
export async function repackage(
  inDir: string,
  outDir: string,
  card: { name: string; version: string; steps: string[] },
): Promise<string[]> {
  checkCard(card);
  const config = await readJsonObject(join(inDir, CONFIG_FILE));
  const adapter = isRecord(config['adapter']) ? config['adapter'] : {};
  const rels = [CONFIG_FILE, MODEL_FILE];
  if (adapter['mode'] === 'side-loaded') {
    rels.push(`${ADAPTER_DIR}/${ADAPTER_CONFIG_FILE}`);
    rels.push(`${ADAPTER_DIR}/${ADAPTER_FILE}`);
  }
  const inputs = await Promise.all(
    rels.map(async (rel) => ({
      rel,
      bytes: await readInput(join(inDir, ...rel.split('/'))),
    })),
  );
  const out = await prepareOutDir(outDir, [inDir]);
  const files: { rel: string; bytes: Uint8Array }[] = [...inputs];
  const architecture = config['architecture'];
  const labels =
    typeof architecture === 'string' ? labelsFor(architecture) : undefined;
  if (labels) files.push({ rel: LABELS_FILE, bytes: jsonBytes(labels) });
  const readme = modelCard(card, config, labels, files);
  files.push({ rel: README_FILE, bytes: new TextEncoder().encode(readme) });
  const written = [];
  for (const file of files) {
    written.push(await writeOutput(out, file.rel, file.bytes));
  }
  return written.sort();
}

function checkCard(card: unknown): void {
  const text = (v: unknown): boolean =>
    typeof v === 'string' && v.length > 0 && !/\p{Cc}/u.test(v);
  const ok =
    isRecord(card) &&
    text(card['name']) &&
    text(card['version']) &&
    Array.isArray(card['steps']) &&
    (card['steps'] as unknown[]).every(text);
  if (!ok) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      'expected a card of non-empty name, version and steps, no control ' +
        'characters',
    );
  }
}
