import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  buildLeanStatement,
  DEFAULT_MANIFEST_SUBJECT_ABOVE,
  envelopeSize,
} from '../../src/attest/lean.js';
import { encodeEnvelope } from '../../src/dsse/index.js';
import { PAYLOAD_TYPE } from '../../src/statement/index.js';
import {
  buildStepStatement,
  decodeManifest,
  MANIFEST_MEDIA_TYPE,
  type StepDescription,
} from '../../src/steps/index.js';
import { codeOf, h } from '../steps/fixtures.js';

const hex = (i: number) => i.toString(16).padStart(64, '0');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function step(outputs: number): StepDescription {
  return {
    kind: 'quantize',
    outputs: Array.from({ length: outputs }, (_, i) => ({
      name: `shards/layer-${i % 32}/part-${i}.safetensors`,
      sha256: hex(i + 1),
    })),
    bundle: { name: 'model', rootDigest: h('b') },
    inputs: [
      { name: 'base/a.bin', sha256: h('c'), role: 'base' },
      { name: 'config.json', sha256: h('d') },
      { name: 'config.json', sha256: h('e') },
    ],
    parameters: { scheme: 'int8', bits: 8 },
    builderId: 'https://ci.example.com/q',
  };
}

const manifestSubject = (s: { subject: { mediaType?: string }[] }) =>
  s.subject.some((d) => d.mediaType === MANIFEST_MEDIA_TYPE);

describe('#envelopeSize', () => {
  it('returns the size of the envelope with room for a 512-byte signature', () => {
    const statement = buildStepStatement(step(3));
    const payload = Buffer.from(JSON.stringify(statement));
    const envelope = encodeEnvelope({
      payload,
      payloadType: PAYLOAD_TYPE,
      signatures: [{ keyid: '', sig: new Uint8Array(512) }],
    });
    expect(envelopeSize(statement)).toBe(envelope.length);
  });
});

describe('#buildLeanStatement', () => {
  describe('under auto', () => {
    const listedSize = envelopeSize(buildStepStatement(step(50)));

    it('lists the files when the envelope is exactly the budget', () => {
      const lean = buildLeanStatement(step(50), 'auto', listedSize);
      expect(lean.manifests).toEqual([]);
      expect(lean.statement).toEqual(buildStepStatement(step(50)));
    });

    it('names manifests one byte above the budget', () => {
      const lean = buildLeanStatement(step(50), 'auto', listedSize - 1);
      expect(manifestSubject(lean.statement)).toBe(true);
      expect(envelopeSize(lean.statement)).toBeLessThan(listedSize - 1);
    });

    it('switches at the default budget of 64 KiB', () => {
      expect(DEFAULT_MANIFEST_SUBJECT_ABOVE).toBe(65536);
      let n = 1;
      while (envelopeSize(buildStepStatement(step(n))) <= 65536) n += 25;
      while (envelopeSize(buildStepStatement(step(n - 1))) > 65536) n -= 1;
      expect(manifestSubject(buildLeanStatement(step(n - 1)).statement)).toBe(
        false,
      );
      expect(manifestSubject(buildLeanStatement(step(n)).statement)).toBe(true);
    });
  });

  describe('under always', () => {
    const lean = buildLeanStatement(step(3), 'always');

    it('names one output manifest whose digest the subject carries', () => {
      const [outputs] = lean.manifests;
      expect(lean.statement.subject[0]).toEqual({
        name: 'manifest',
        digest: { sha256: sha256(outputs) },
        mediaType: MANIFEST_MEDIA_TYPE,
      });
      expect(decodeManifest(outputs)).toHaveLength(3);
      expect(lean.statement.subject[1]?.annotations).toEqual({ bundle: true });
    });

    it('names a manifest per role, another for a name met twice', () => {
      const inputs = lean.manifests.slice(1).map((m) => decodeManifest(m));
      expect(inputs).toEqual([
        [{ name: 'base/a.bin', sha256: h('c') }],
        [{ name: 'config.json', sha256: h('d') }],
        [{ name: 'config.json', sha256: h('e') }],
      ]);
      const deps = (
        lean.statement.predicate.buildDefinition as {
          resolvedDependencies: { digest: { sha256: string } }[];
        }
      ).resolvedDependencies;
      expect(deps.map((d) => d.digest.sha256)).toEqual(
        lean.manifests.slice(1).map(sha256),
      );
    });
  });

  it('lists the files under never, however many', () => {
    const lean = buildLeanStatement(step(400), 'never');
    expect(lean.manifests).toEqual([]);
    expect(lean.statement.subject).toHaveLength(401);
  });

  it('throws STATEMENT_INVALID for an unknown mode or a bad budget', () => {
    const mode = 'sometimes' as 'auto';
    expect(codeOf(() => buildLeanStatement(step(1), mode))).toBe(
      'STATEMENT_INVALID',
    );
    expect(codeOf(() => buildLeanStatement(step(1), 'auto', -1))).toBe(
      'STATEMENT_INVALID',
    );
  });
});
