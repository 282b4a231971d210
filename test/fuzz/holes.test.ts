/**
 * What the mutation suite found the verifier accepts although the bytes
 * differ from what was issued. None changes signed content (each field is
 * outside what a signature covers), so none is a forged attestation; but
 * each is a reading that a strict verifier refuses, which issue 8 asks to
 * refuse too: two verifiers must not disagree about one bundle. Each test
 * failed until src/verify/strict-bundle.ts added a check of our own.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import { AttestationStore } from '../../src/store/store.js';
import { buildCorpus, type Chain, type Corpus } from './corpus.js';

let corpus: Corpus;
let work: string;
let chain: Chain;
beforeAll(async () => {
  corpus = await buildCorpus();
  work = await mkdtemp(join(tmpdir(), 'mprov-holes-'));
  chain = corpus.chains.find((c) => c.entries.length === 1)!;
});
afterAll(async () => {
  await corpus.lab.close();
  await rm(work, { recursive: true, force: true });
});

type Bundle = {
  dsseEnvelope: { payload: string };
  verificationMaterial: {
    certificate: { rawBytes: string };
    tlogEntries: {
      inclusionProof: {
        rootHash: string;
        treeSize: string;
        checkpoint: { envelope: string };
      };
    }[];
    timestampVerificationData: {
      rfc3161Timestamps: { signedTimestamp: string }[];
    };
  };
};

let n = 0;
/** Verifies the one-step chain with its bundle edited by `edit`. */
async function verifyEdited(edit: (b: Bundle) => void) {
  const bundle = JSON.parse(chain.entries[0].toString('utf8')) as Bundle;
  edit(bundle);
  const bytes = Buffer.from(JSON.stringify(bundle));
  expect(bytes.equals(chain.entries[0])).toBe(false);
  const dir = join(work, `s${n++}`, 'attestations');
  await mkdir(dir, { recursive: true });
  const id = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(dir, `${id}.sigstore.json`), bytes);
  return verifyChain({
    modelPath: chain.dir,
    policy: chain.policy,
    trustedRoot: corpus.lab.root,
    store: new AttestationStore(join(dir, '..')),
    manifest: chain.manifest,
  });
}

const tlog = (b: Bundle) => b.verificationMaterial.tlogEntries[0];
const flipFirstByte = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
};

describe('leniencies found by mutation (known holes)', () => {
  it('verifies a bundle edited only where nothing is read (control)', async () => {
    const result = await verifyEdited((b) => {
      // Key order is not signed: the same bundle, other bytes.
      const loose = b as unknown as Record<string, unknown>;
      const mediaType = loose.mediaType;
      delete loose.mediaType;
      loose.mediaType = mediaType;
    });
    expect(result.verified).toBe(true);
  });

  // Was a hole, closed by src/verify/strict-bundle.ts: @sigstore/verify 4.1.3 checks the inclusion proof against the
  // signed checkpoint's root hash and size, and never compares them with
  // the proof's own rootHash and treeSize: any value there verifies.
  it('refuses an inclusion proof whose rootHash is not the checkpoint’s', async () => {
    const result = await verifyEdited((b) => {
      tlog(b).inclusionProof.rootHash = flipFirstByte(
        tlog(b).inclusionProof.rootHash,
      );
    });
    expect(result.verified).toBe(false);
  });

  // Was a hole, closed by src/verify/strict-bundle.ts: the same for treeSize.
  it('refuses an inclusion proof whose treeSize is not the checkpoint’s', async () => {
    const result = await verifyEdited((b) => {
      tlog(b).inclusionProof.treeSize = '999';
    });
    expect(result.verified).toBe(false);
  });

  // Was a hole, closed by src/verify/strict-bundle.ts: text after a checkpoint's signature lines is signed by nothing
  // and ignored; a strict note parser refuses it.
  it('refuses a checkpoint with text after its signatures', async () => {
    const result = await verifyEdited((b) => {
      tlog(b).inclusionProof.checkpoint.envelope += 'appended\n';
    });
    expect(result.verified).toBe(false);
  });

  // Was a hole, closed by src/verify/strict-bundle.ts: base64 is decoded by Node's lenient decoder, which skips white
  // space; issue 8 asks that only the standard and URL-safe alphabets be
  // accepted in DSSE and anything else refused.
  it('refuses a DSSE payload whose base64 holds line breaks', async () => {
    const result = await verifyEdited((b) => {
      b.dsseEnvelope.payload = b.dsseEnvelope.payload.replace(
        /(.{64})/g,
        '$1\n',
      );
    });
    expect(result.verified).toBe(false);
  });

  // Was a hole, closed by src/verify/strict-bundle.ts: the certificate's outer DER tag is not checked (nor its outer
  // signatureAlgorithm, which RFC 5280 requires to equal the signed one):
  // the certificate can be reframed without breaking verification.
  it('refuses a certificate whose outer DER tag is wrong', async () => {
    const result = await verifyEdited((b) => {
      const c = b.verificationMaterial.certificate;
      c.rawBytes = flipFirstByte(c.rawBytes);
    });
    expect(result.verified).toBe(false);
  });

  // Was a hole, closed by src/verify/strict-bundle.ts: the timestamp response's PKIStatus is not read: a response that
  // says "rejection" (2) still counts as a signed time.
  it('refuses a timestamp response whose status is rejection', async () => {
    const result = await verifyEdited((b) => {
      const t =
        b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
      const der = Buffer.from(t.signedTimestamp, 'base64');
      // TimeStampResp ::= SEQUENCE { status SEQUENCE { INTEGER 0 }, ... }
      expect(der.subarray(4, 9).toString('hex')).toBe('3003020100');
      der[8] = 2;
      t.signedTimestamp = der.toString('base64');
    });
    expect(result.verified).toBe(false);
  });
});
