/**
 * A file that changes between hashing and the end of verification is
 * reported, not trusted. The change is made from the hashing progress
 * callback once every byte is hashed (each hashing thread reports its
 * last bytes only after its own checks), so it lands after the digests
 * and before the verdict, every time. The changes are synchronous, so
 * that each is complete when the callback returns.
 */
import {
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ChainNotVerifiedError,
  requireVerifiedModel,
} from '../../src/chain/require-verified.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import { digestModel } from '../../src/digest/index.js';
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

/** A fresh legitimate chain; returns its folder. */
async function model(): Promise<string> {
  const name = `c${++n}`;
  await legitChain(lab, name);
  return lab.path(name);
}

/** Verifies `dir`, running `change` once every byte has been hashed. */
async function verifyWhile(dir: string, change: () => void) {
  let ran = 0;
  const result = await verifyChain({
    modelPath: dir,
    policy: lab.policy(ROOTS),
    trustedRoot: lab.root,
    onProgress: (done, total) => {
      if (done === total && total > 0 && ran++ === 0) change();
    },
  });
  expect(ran).toBe(1);
  return result;
}

/** Rewrites a file with other bytes of the same size and times. */
function swapKeepingTimes(path: string): void {
  const before = statSync(path);
  const bytes = readFileSync(path);
  writeFileSync(path, Buffer.from(bytes.map((b) => b ^ 0x20)));
  utimesSync(path, before.atime, before.mtime);
}

describe('verifyChain when a file changes after it was hashed', () => {
  it('verifies when nothing changes (control)', async () => {
    const result = await verifyWhile(await model(), () => undefined);
    expect(errors(result.findings)).toEqual([]);
    expect(result.verified).toBe(true);
  });

  it('reports FILE_CHANGED_DURING_VERIFICATION for same size and mtime', async () => {
    const dir = await model();
    const path = `${dir}/model.safetensors`;
    const result = await verifyWhile(dir, () => swapKeepingTimes(path));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual([
      'FILE_CHANGED_DURING_VERIFICATION',
    ]);
    expect(result.findings[0]).toMatchObject({ file: 'model.safetensors' });
    expect(result.findings[0]?.message).toContain('ctimeMs');
    // The digests were taken before the change: they alone would pass.
    const now = await digestModel(dir);
    expect(now.rootDigest).not.toBe(result.model.rootDigest);
  });

  it('reports a file that grew', async () => {
    const dir = await model();
    const result = await verifyWhile(dir, () =>
      writeFileSync(`${dir}/README.md`, '# card v1\nextra'),
    );
    expect(errors(result.findings)).toEqual([
      'FILE_CHANGED_DURING_VERIFICATION',
    ]);
    expect(result.findings[0]?.message).toContain('size');
  });

  it('reports a file added during verification', async () => {
    const dir = await model();
    const result = await verifyWhile(dir, () =>
      writeFileSync(`${dir}/payload.py`, 'import os'),
    );
    expect(result.verified).toBe(false);
    expect(result.findings).toMatchObject([
      { code: 'FILE_CHANGED_DURING_VERIFICATION', file: 'payload.py' },
    ]);
  });

  it('reports a file removed during verification', async () => {
    const dir = await model();
    const result = await verifyWhile(dir, () => rmSync(`${dir}/config.json`));
    expect(result.findings).toMatchObject([
      { code: 'FILE_CHANGED_DURING_VERIFICATION', file: 'config.json' },
    ]);
  });

  it('reports, not throws, when the model is gone', async () => {
    const dir = await model();
    const result = await verifyWhile(dir, () =>
      rmSync(dir, { recursive: true, force: true }),
    );
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain(
      'FILE_CHANGED_DURING_VERIFICATION',
    );
  });
});

describe('requireVerifiedModel when a file changes after it was hashed', () => {
  it('throws ChainNotVerifiedError naming the change', async () => {
    const dir = await model();
    let swapped = false;
    const error = await requireVerifiedModel({
      modelPath: dir,
      policy: lab.policy(ROOTS),
      trustedRoot: lab.root,
      onProgress: (done, total) => {
        if (done === total && total > 0 && !swapped) {
          swapped = true;
          swapKeepingTimes(`${dir}/config.json`);
        }
      },
    }).catch((e: unknown) => e);
    expect(swapped).toBe(true);
    expect(error).toBeInstanceOf(ChainNotVerifiedError);
    expect(errors((error as ChainNotVerifiedError).findings)).toEqual([
      'FILE_CHANGED_DURING_VERIFICATION',
    ]);
  });
});
