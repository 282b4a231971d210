import { stat } from 'node:fs/promises';

import { AttestationStore } from '../store/store.js';

/**
 * Copies the attestations in the stores of the given input folders into
 * `target`. Entries are content-addressed, so copying twice is harmless.
 * Nothing is trusted by being copied: the chain verifier checks each one.
 */
export async function carryForward(
  inputPaths: readonly string[],
  target: AttestationStore,
): Promise<number> {
  let copied = 0;
  for (const path of inputPaths) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    const source = AttestationStore.forModel(path);
    if (source.dir === target.dir) continue;
    for (const entry of await source.list()) {
      await target.add(entry.bytes);
      copied += 1;
    }
  }
  return copied;
}
