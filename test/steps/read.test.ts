import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { buildStepStatement, readStep } from '../../src/steps/index.js';
import { codeOf, h, quantize } from './fixtures.js';

describe('#readStep', () => {
  describe('when given a built statement', () => {
    it('returns the step it was built from', () => {
      const { tools, byproducts, startedOn, finishedOn, ...rest } = quantize;
      expect(readStep(buildStepStatement(quantize))).toEqual({
        ...rest,
        buildType: 'https://model-provenance.dev/build-types/quantize/v1',
        tools,
        byproducts,
        startedOn: new Date(startedOn ?? ''),
        finishedOn: new Date(finishedOn ?? ''),
      });
    });

    it('returns any user-defined step it was built from', () => {
      const name = fc
        .stringMatching(/^[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,2}$/)
        .filter((n) => !n.split('/').some((p) => p === '.' || p === '..'));
      const art = fc.record({
        name,
        sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
      });
      const step = fc.record({
        kind: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
        outputs: fc.uniqueArray(art, {
          minLength: 1,
          maxLength: 4,
          selector: (a) => a.name,
        }),
        inputs: fc.array(art, { minLength: 1, maxLength: 4 }),
        parameters: fc.dictionary(fc.string(), fc.jsonValue()),
        builderId: fc.string({ minLength: 1 }),
      });
      fc.assert(
        fc.property(
          step.filter(
            (s) =>
              !['export', 'quantize', 'adapter-attach', 'repackage'].includes(
                s.kind,
              ),
          ),
          (s) => {
            const view = readStep(buildStepStatement(s));
            expect(view).toMatchObject({ ...s, tools: [], byproducts: [] });
          },
        ),
      );
    });
  });

  describe('when the statement is not a step of this project', () => {
    const built = buildStepStatement(quantize);
    const pred = built.predicate as {
      buildDefinition: object;
      runDetails: object;
    };
    it.each<[string, object, string]>([
      [
        '_type is v0.1',
        { ...built, _type: 'https://in-toto.io/Statement/v0.1' },
        'STATEMENT_TYPE_UNSUPPORTED',
      ],
      [
        'predicateType is SLSA v0.2',
        { ...built, predicateType: 'https://slsa.dev/provenance/v0.2' },
        'STATEMENT_PREDICATE_INVALID',
      ],
      [
        'buildType is foreign',
        {
          ...built,
          predicate: {
            ...pred,
            buildDefinition: {
              ...pred.buildDefinition,
              buildType: 'https://x/v1',
            },
          },
        },
        'STATEMENT_PREDICATE_INVALID',
      ],
      [
        'parameters break the kind schema',
        {
          ...built,
          predicate: {
            ...pred,
            buildDefinition: {
              ...pred.buildDefinition,
              externalParameters: { bits: 4 },
            },
          },
        },
        'STATEMENT_PREDICATE_INVALID',
      ],
      [
        'a subject has only sha512',
        { ...built, subject: [{ name: 'w', digest: { sha512: h('ab') } }] },
        'STATEMENT_DIGEST_INVALID',
      ],
      [
        'a subject has no name',
        { ...built, subject: [{ digest: { sha256: h('a') } }] },
        'STATEMENT_DESCRIPTOR_INVALID',
      ],
      [
        'a subject name escapes',
        {
          ...built,
          subject: [{ name: 'a/../../b', digest: { sha256: h('a') } }],
        },
        'STATEMENT_DESCRIPTOR_INVALID',
      ],
      [
        'two subjects claim the bundle',
        {
          ...built,
          subject: [
            {
              name: 'b1',
              digest: { sha256: h('a') },
              annotations: { bundle: true },
            },
            {
              name: 'b2',
              digest: { sha256: h('b') },
              annotations: { bundle: true },
            },
          ],
        },
        'STATEMENT_INVALID',
      ],
    ])('throws when %s', (_, statement, code) => {
      expect(codeOf(() => readStep(statement as never))).toBe(code);
    });
  });
});
