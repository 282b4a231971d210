/**
 * Lenient fields refused by src/verify/strict-fields.ts, seen through the
 * chain: a stored attestation re-encoded with them is malformed, not a
 * second valid byte string of the same attestation.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AttestationStore } from '../../src/store/store.js';
import {
  ROOTS,
  errors,
  legitChain,
  startLab,
  type Lab,
} from '../adversarial/helpers.js';

let lab: Lab;
let n = 0;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => lab.close());

type Json = Record<string, unknown>;

/** A legitimate chain whose repackage entry is replaced by `edit` of it. */
async function withEditedEntry(edit: (bundle: Json) => void) {
  const model = `s${++n}`;
  const { repackageId } = await legitChain(lab, model);
  const store = AttestationStore.forModel(lab.path(model));
  const path = join(store.dir, `${repackageId}.sigstore.json`);
  const bundle = JSON.parse(await readFile(path, 'utf8')) as Json;
  await rm(path);
  edit(bundle);
  await lab.addRaw(model, JSON.stringify(bundle));
  return lab.verify(model, lab.policy(ROOTS));
}

const tlog = (b: Json) =>
  ((b.verificationMaterial as Json).tlogEntries as Json[])[0];

describe('verifyChain with an entry re-encoded leniently', () => {
  it('verifies the entry re-encoded with nothing changed (control)', async () => {
    const result = await withEditedEntry(() => undefined);
    expect(result.verified).toBe(true);
  });

  it.each([
    [
      'an unknown media type',
      (b: Json) => {
        b.mediaType = 'application/vnd.dev.sigstore.bundle.v0.9+json';
      },
    ],
    [
      '[] as the log index',
      (b: Json) => {
        tlog(b).logIndex = [];
      },
    ],
    [
      'white space in the canonicalized body',
      (b: Json) => {
        const body = tlog(b).canonicalizedBody as string;
        tlog(b).canonicalizedBody = `${body.slice(0, 8)}\n${body.slice(8)}`;
      },
    ],
  ])('returns ATTESTATION_MALFORMED for %s', async (_, edit) => {
    const result = await withEditedEntry(edit);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('ATTESTATION_MALFORMED');
  });
});
