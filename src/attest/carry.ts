import { stat } from 'node:fs/promises';

import { ManifestStore } from '../store/manifests.js';
import { AttestationStore } from '../store/store.js';

/**
 * Copies the attestations in the stores of the given input folders into
 * `target`, with the manifests stored beside them. Entries are
 * content-addressed, so copying twice is harmless. Nothing is trusted by
 * being copied: the chain verifier checks each one.
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
    await carryManifests(
      ManifestStore.forModel(path),
      ManifestStore.beside(target),
    );
  }
  return copied;
}

/** Copies every manifest; each is stored under what its bytes hash to. */
async function carryManifests(
  source: ManifestStore,
  target: ManifestStore,
): Promise<void> {
  for (const digest of await source.digests()) {
    const bytes = await source.read(digest);
    if (bytes !== undefined) await target.add(bytes);
  }
}
