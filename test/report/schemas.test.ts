import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

import { FINDING_CODES } from '../../src/chain/findings.js';
import { demoPolicy } from '../../src/demo/policy.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { RESULT_FORMAT } from '../../src/report/json.js';

const SCHEMAS = join(import.meta.dirname, '../../docs/schemas');
const load = async (name: string) =>
  JSON.parse(await readFile(join(SCHEMAS, name), 'utf8')) as Record<
    string,
    unknown
  >;

// strictRequired off: 'oneOf: [{required: [identity]}, ...]' names
// properties defined one level up, which is the point of it.
const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  strictRequired: false,
  validateFormats: false,
});
const policySchema = load('policy.schema.json').then((s) => ajv.compile(s));
const ISSUER = 'https://issuer.example';
const ROOT = 'c'.repeat(64);
const PUBLIC_KEY = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

describe('docs/schemas/policy.schema.json', () => {
  it('accepts the demo policy, which the loader accepts too', async () => {
    const validate = await policySchema;
    const doc = demoPolicy(ISSUER, [{ name: 'w', sha256: ROOT }], {
      name: 'm',
      version: '1',
    });
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(() => parsePolicy(JSON.stringify(doc))).not.toThrow();
  });

  it('accepts key rules and allowUnlogged, as the loader does', async () => {
    const validate = await policySchema;
    const doc = {
      version: 1,
      allowUnlogged: true,
      steps: {
        export: {
          threshold: 2,
          signers: [
            { publicKey: PUBLIC_KEY },
            { issuer: ISSUER, identity: 'a' },
          ],
        },
      },
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(() => parsePolicy(JSON.stringify(doc))).not.toThrow();
  });

  it.each([
    ['an unknown field', { extra: 1 }],
    ['a bad root digest', { roots: [{ sha256: 'ABC' }] }],
    [
      'a threshold of 0',
      {
        steps: {
          export: {
            threshold: 0,
            signers: [{ issuer: ISSUER, identity: 'a' }],
          },
        },
      },
    ],
    [
      'both identity forms',
      {
        steps: {
          export: {
            signers: [{ issuer: ISSUER, identity: 'a', identityPattern: 'a' }],
          },
        },
      },
    ],
    [
      'an identity and a key in one rule',
      {
        steps: {
          export: {
            signers: [{ issuer: ISSUER, identity: 'a', publicKey: PUBLIC_KEY }],
          },
        },
      },
    ],
    [
      'both key forms',
      {
        steps: {
          export: { signers: [{ key: 'a.pub', publicKey: PUBLIC_KEY }] },
        },
      },
    ],
    [
      'a keyId that is not sha256:hex',
      {
        steps: {
          export: { signers: [{ publicKey: PUBLIC_KEY, keyId: 'x' }] },
        },
      },
    ],
    ['allowUnlogged that is not a boolean', { allowUnlogged: 'yes' }],
  ])('refuses %s, as the loader does', async (_name, change) => {
    const validate = await policySchema;
    const doc = {
      version: 1,
      steps: { export: { signers: [{ issuer: ISSUER, identity: 'a' }] } },
      ...change,
    };
    expect(validate(doc)).toBe(false);
    expect(() => parsePolicy(JSON.stringify(doc))).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID' }) as Error,
    );
  });
});

describe('docs/schemas/verify-result.schema.json', () => {
  it('names the format the JSON report declares', async () => {
    const schema = await load('verify-result.schema.json');
    expect(schema.$id).toBe(RESULT_FORMAT);
  });

  it('lists exactly the finding codes of the code', async () => {
    const schema = (await load('verify-result.schema.json')) as {
      $defs: { finding: { properties: { code: { enum: string[] } } } };
    };
    expect(schema.$defs.finding.properties.code.enum).toEqual([
      ...FINDING_CODES,
    ]);
  });
});
