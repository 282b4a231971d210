import { execFileSync } from 'node:child_process';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ProvenanceError } from '../../src/errors.js';
import { AttestationStore } from '../../src/store/store.js';
import {
  ID,
  RELEASED,
  ROOTS,
  descs,
  errors,
  legitChain,
  startLab,
  statement,
  type Lab,
} from './helpers.js';

let lab: Lab;
let n = 0;
let bundle: Record<string, unknown>;

beforeAll(async () => {
  lab = await startLab();
  bundle = (await lab.sign(
    ID.releaser,
    statement({
      kind: 'repackage',
      inputs: descs(RELEASED),
      outputs: descs(RELEASED),
    }),
  )) as Record<string, unknown>;
});
afterAll(async () => lab.close());

const fresh = async (): Promise<string> => {
  const model = `d${++n}`;
  await lab.write(model, RELEASED);
  return model;
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const storeDir = (model: string) =>
  AttestationStore.forModel(lab.path(model)).dir;

/** Expects verifyChain to reject with a ProvenanceError of `code`. */
async function rejectsWith(model: string, code: string): Promise<void> {
  const error: unknown = await lab.verify(model, lab.policy(ROOTS)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProvenanceError);
  expect((error as ProvenanceError).code).toBe(code);
}

describe('adversarial: hostile store entries', () => {
  const garbage: [string, string][] = [
    ['not JSON', 'not json {'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"bundle"'],
    ['an empty object', '{}'],
    ['a __proto__ object', '{"__proto__":{"dsseEnvelope":{"signatures":[1]}}}'],
    ['deep nesting', '['.repeat(500_000) + ']'.repeat(500_000)],
    [
      'deep nesting inside the envelope',
      `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"signatures":[{"sig":"AA=="}],"payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    ],
    ['a UTF-16 BOM', '\ufeff{}'],
  ];
  for (const [what, text] of garbage) {
    it(`reports ${what} as ATTESTATION_MALFORMED`, async () => {
      const model = await fresh();
      await lab.addRaw(model, text);
      const result = await lab.verify(model, lab.policy(ROOTS));
      expect(result.verified).toBe(false);
      expect(errors(result.findings)).toContain('ATTESTATION_MALFORMED');
    });
  }

  it('refuses a bundle with its signature duplicated', async () => {
    const model = await fresh();
    const b = clone(bundle) as { dsseEnvelope: { signatures: unknown[] } };
    b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]);
    await lab.addRaw(model, JSON.stringify(b));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('ATTESTATION_UNVERIFIED');
  });

  it('refuses a bundle whose payload was swapped after signing', async () => {
    const model = await fresh();
    const b = clone(bundle) as { dsseEnvelope: { payload: string } };
    const st = statement({
      kind: 'repackage',
      inputs: descs({ x: 'y' }),
      outputs: descs(RELEASED),
    });
    b.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
    await lab.addRaw(model, JSON.stringify(b));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('ATTESTATION_UNVERIFIED');
  });

  it('refuses a bundle whose payload type was changed after signing', async () => {
    const model = await fresh();
    const b = clone(bundle) as { dsseEnvelope: { payloadType: string } };
    b.dsseEnvelope.payloadType = 'application/json';
    await lab.addRaw(model, JSON.stringify(b));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('ATTESTATION_UNVERIFIED');
  });

  it('refuses a bundle that also carries a message signature', async () => {
    const model = await fresh();
    const b = clone(bundle);
    b.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: 'AA==' },
      signature: 'AA==',
    };
    await lab.addRaw(model, JSON.stringify(b));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)[0]).toMatch(
      /^ATTESTATION_(MALFORMED|UNVERIFIED)$/,
    );
  });

  it('refuses a bundle with its transparency-log entries removed', async () => {
    const model = await fresh();
    const b = clone(bundle) as {
      verificationMaterial: { tlogEntries: unknown[] };
    };
    b.verificationMaterial.tlogEntries = [];
    await lab.addRaw(model, JSON.stringify(b));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('ATTESTATION_UNVERIFIED');
  });

  it('refuses a bundle signed for another trusted root', async () => {
    const model = await fresh();
    await lab.addRaw(model, JSON.stringify(bundle));
    const { startStandIn } = await import('../../src/testing/index.js');
    const other = await startStandIn();
    try {
      const { verifyChain } = await import('../../src/chain/verify-chain.js');
      const { loadTrustedRoot } = await import('../../src/verify/index.js');
      const result = await verifyChain({
        modelPath: lab.path(model),
        policy: lab.policy(ROOTS),
        trustedRoot: loadTrustedRoot(other.trustedRoot),
      });
      expect(result.verified).toBe(false);
      expect(errors(result.findings)).toContain('ATTESTATION_UNVERIFIED');
    } finally {
      await other.close();
    }
  });

  it('throws STORE_ENTRY_INVALID for a symlinked entry, not following it', async () => {
    const model = await fresh();
    const dir = storeDir(model);
    await mkdir(dir, { recursive: true });
    await writeFile(lab.path('outside.json'), JSON.stringify(bundle));
    await symlink(
      lab.path('outside.json'),
      join(dir, `${'a'.repeat(64)}.sigstore.json`),
    );
    await rejectsWith(model, 'STORE_ENTRY_INVALID');
  });

  it('throws STORE_ENTRY_INVALID for a FIFO entry without hanging', async () => {
    const model = await fresh();
    const dir = storeDir(model);
    await mkdir(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, `${'b'.repeat(64)}.sigstore.json`)]);
    await rejectsWith(model, 'STORE_ENTRY_INVALID');
  });

  it('throws STORE_ENTRY_TOO_LARGE for a 4 MiB + 1 entry', async () => {
    const model = await fresh();
    const dir = storeDir(model);
    await mkdir(dir, { recursive: true });
    const p = join(dir, `${'c'.repeat(64)}.sigstore.json`);
    await writeFile(p, '');
    await truncate(p, 4 * 1024 * 1024 + 1);
    await rejectsWith(model, 'STORE_ENTRY_TOO_LARGE');
  });

  it('throws STORE_ENTRY_INVALID for a directory named like an entry', async () => {
    const model = await fresh();
    await mkdir(join(storeDir(model), `${'d'.repeat(64)}.sigstore.json`), {
      recursive: true,
    });
    await rejectsWith(model, 'STORE_ENTRY_INVALID');
  });
});

describe('adversarial: hostile model folders', () => {
  it('throws DIGEST_SYMLINK for a symlink among the files', async () => {
    const model = `d${++n}`;
    await legitChain(lab, model);
    await writeFile(lab.path('secret.txt'), '# card v1');
    await symlink(lab.path('secret.txt'), lab.path(`${model}/extra.md`));
    await rejectsWith(model, 'DIGEST_SYMLINK');
  });

  it('throws DIGEST_SYMLINK when the model path itself is a symlink', async () => {
    const model = `d${++n}`;
    await legitChain(lab, model);
    await symlink(lab.path(model), lab.path(`${model}-link`));
    await rejectsWith(`${model}-link`, 'DIGEST_SYMLINK');
  });

  it('throws DIGEST_NOT_A_FILE for a FIFO among the files, without hanging', async () => {
    const model = `d${++n}`;
    await legitChain(lab, model);
    execFileSync('mkfifo', [lab.path(`${model}/pipe.bin`)]);
    await rejectsWith(model, 'DIGEST_NOT_A_FILE');
  });

  it('reports MODEL_EMPTY for an empty folder: a failure, not an error', async () => {
    const model = `d${++n}`;
    await mkdir(lab.path(`${model}/sub`), { recursive: true });
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['MODEL_EMPTY']);
  });

  it('reports MODEL_ALL_FILES_IGNORED for a folder of ignored files only', async () => {
    const model = `d${++n}`;
    await lab.attest(
      model,
      ID.releaser,
      statement({
        kind: 'repackage',
        inputs: descs(RELEASED),
        outputs: descs(RELEASED),
      }),
    );
    await lab.write(model, { '.git/config': '[core]' });
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(result.steps).toEqual([]);
    expect(errors(result.findings)).toEqual(['MODEL_ALL_FILES_IGNORED']);
  });

  it('throws DIGEST_BAD_PATH for a file name that is not UTF-8', async () => {
    const model = `d${++n}`;
    await legitChain(lab, model);
    const raw = Buffer.concat([
      Buffer.from(lab.path(model) + '/'),
      Buffer.from([0xff, 0xfe, 0x41]),
    ]);
    await writeFile(raw, 'x');
    await rejectsWith(model, 'DIGEST_BAD_PATH');
  });

  it('throws DIGEST_BAD_PATH for a file name with a newline', async () => {
    const model = `d${++n}`;
    await legitChain(lab, model);
    await writeFile(lab.path(`${model}/README.md\nVERIFIED`), 'x');
    await rejectsWith(model, 'DIGEST_BAD_PATH');
  });

  it('reports NO_ATTESTATION_FOR_MODEL for a model without a store', async () => {
    const model = await fresh();
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['NO_ATTESTATION_FOR_MODEL']);
  });
});
