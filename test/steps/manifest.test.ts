import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  buildStepStatement,
  decodeManifest,
  encodeManifest,
  MANIFEST_MEDIA_TYPE,
  readStep,
} from '../../src/steps/index.js';
import type { Statement } from '../../src/statement/index.js';
import { codeOf, h, quantize } from './fixtures.js';

const files = [
  { name: 'tok/vocab.json', sha256: h('1') },
  { name: 'config.json', sha256: h('2') },
  { name: 'tok.json', sha256: h('3') },
];
const text = (s: string) => new TextEncoder().encode(s);
const bytesOf = (v: unknown) => text(JSON.stringify(v));
const manifestOf = (list: unknown[]) => ({
  files: list,
  mediaType: MANIFEST_MEDIA_TYPE,
});
const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
const entry = (name: string, c: string) => ({
  digest: { sha256: h(c) },
  name,
});

describe('#encodeManifest', () => {
  it('returns canonical JSON with files sorted by path', () => {
    const out = new TextDecoder().decode(encodeManifest(files));
    expect(out).toBe(
      JSON.stringify(
        manifestOf([
          entry('config.json', '2'),
          entry('tok/vocab.json', '1'),
          entry('tok.json', '3'),
        ]),
      ),
    );
  });

  it('returns the same bytes whatever the order of the files', () => {
    expect(encodeManifest([...files].reverse())).toEqual(encodeManifest(files));
  });

  it('throws on an unsafe name, a duplicate, a bad digest or no file', () => {
    expect(
      codeOf(() => encodeManifest([{ name: '../x', sha256: h('1') }])),
    ).toBe('STATEMENT_DESCRIPTOR_INVALID');
    expect(codeOf(() => encodeManifest([files[0], files[0]]))).toBe(
      'STATEMENT_INVALID',
    );
    expect(codeOf(() => encodeManifest([{ name: 'a', sha256: 'AB' }]))).toBe(
      'STATEMENT_DIGEST_INVALID',
    );
    expect(codeOf(() => encodeManifest([]))).toBe('STATEMENT_INVALID');
  });
});

describe('#decodeManifest', () => {
  it('returns the files of an encoded manifest', () => {
    const sorted = [files[1], files[0], files[2]];
    expect(decodeManifest(encodeManifest(files))).toEqual(sorted);
  });

  it.each([
    ['not JSON', text('{')],
    ['a duplicate key', text(`{"files":[],"files":[],"mediaType":"x"}`)],
    ['another version', bytesOf({ ...manifestOf([]), mediaType: 'v2' })],
    ['an unknown field', bytesOf({ ...manifestOf([]), extra: 1 })],
    ['files not an array', bytesOf(manifestOf({} as unknown as []))],
    [
      'an entry with an extra field',
      bytesOf(manifestOf([{ ...entry('a', '1'), size: 1 }])),
    ],
    ['unsorted files', bytesOf(manifestOf([entry('b', '1'), entry('a', '2')]))],
    [
      'a duplicate name',
      bytesOf(manifestOf([entry('a', '1'), entry('a', '2')])),
    ],
    ['no file', bytesOf(manifestOf([]))],
    [
      'whitespace',
      text(JSON.stringify(manifestOf([entry('a', '1')]), null, 1)),
    ],
  ])('throws STATEMENT_INVALID for %s', (_, bytes) => {
    expect(codeOf(() => decodeManifest(bytes))).toBe('STATEMENT_INVALID');
  });

  it('returns the files of any valid list, or throws only StatementError', () => {
    const art = fc.record({
      name: fc.stringMatching(/^[a-z0-9._-]{1,8}(\/[a-z0-9_-]{1,8}){0,2}$/),
      sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    });
    fc.assert(
      fc.property(fc.array(art, { minLength: 1, maxLength: 8 }), (list) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeManifest(list);
        } catch {
          return; // names that collide or are unsafe: refused on both sides
        }
        const back = decodeManifest(bytes);
        expect([...back].sort(byName)).toEqual([...list].sort(byName));
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string()), (v) => {
        const code = codeOf(() => decodeManifest(bytesOf(v)));
        expect(code).toMatch(/^STATEMENT_/);
      }),
    );
  });

  it('throws for an unsafe name, as subjects do', () => {
    const bytes = bytesOf(manifestOf([entry('../../etc/passwd', '1')]));
    expect(codeOf(() => decodeManifest(bytes))).toBe(
      'STATEMENT_DESCRIPTOR_INVALID',
    );
  });

  it('throws for a digest that is not lower-case hex', () => {
    const bytes = bytesOf(
      manifestOf([{ digest: { sha256: 'A'.repeat(64) }, name: 'a' }]),
    );
    expect(codeOf(() => decodeManifest(bytes))).toBe(
      'STATEMENT_DIGEST_INVALID',
    );
  });
});

describe('manifest subjects', () => {
  const step = {
    ...quantize,
    outputsManifest: h('7'),
    inputManifests: [{ sha256: h('8'), role: 'base' }],
  };

  it('names the manifests, marked by media type, beside the bundle', () => {
    const st = buildStepStatement(step);
    expect(st.subject).toEqual([
      {
        name: 'manifest',
        digest: { sha256: h('7') },
        mediaType: MANIFEST_MEDIA_TYPE,
      },
      {
        name: 'llama-q4',
        digest: { sha256: h('b') },
        annotations: { bundle: true },
      },
    ]);
    const deps = st.predicate.buildDefinition as {
      resolvedDependencies: unknown[];
    };
    expect(deps.resolvedDependencies[0]).toEqual({
      name: 'manifest',
      digest: { sha256: h('8') },
      mediaType: MANIFEST_MEDIA_TYPE,
      annotations: { role: 'base' },
    });
  });

  it('reads them back apart from the files', () => {
    const view = readStep(buildStepStatement(step));
    expect(view.outputs).toEqual([]);
    expect(view.outputsManifest).toEqual({ name: 'manifest', sha256: h('7') });
    expect(view.inputs).toEqual([]);
    expect(view.inputManifests).toEqual([
      { name: 'manifest', sha256: h('8'), role: 'base' },
    ]);
    expect(view.bundle).toEqual(quantize.bundle);
  });

  const edit = (change: (st: Statement) => void) => () => {
    const st = structuredClone(buildStepStatement(step));
    change(st);
    return readStep(st);
  };

  it('refuses a manifest beside listed files, or two manifests', () => {
    const listed = { name: 'a.bin', digest: { sha256: h('9') } };
    expect(codeOf(edit((st) => st.subject.push(listed)))).toBe(
      'STATEMENT_INVALID',
    );
    expect(codeOf(edit((st) => st.subject.push({ ...st.subject[0] })))).toBe(
      'STATEMENT_INVALID',
    );
  });

  it('refuses a manifest version it does not know, rather than a file', () => {
    const v2 = MANIFEST_MEDIA_TYPE.replace('version=1', 'version=2');
    expect(
      codeOf(edit((st) => (st.subject[0].mediaType = v2.toUpperCase()))),
    ).toBe('STATEMENT_INVALID');
  });

  it('still checks the roles a kind requires on input manifests', () => {
    const attach = {
      ...quantize,
      kind: 'adapter-attach',
      parameters: {
        adapterName: 'a',
        rank: 8,
        targetModules: ['q'],
        mode: 'merged',
      },
      inputs: [
        { name: 'b', sha256: h('1'), role: 'base' },
        { name: 'a', sha256: h('2'), role: 'adapter' },
      ],
      inputManifests: [{ sha256: h('8'), role: 'base' }],
    };
    expect(codeOf(() => buildStepStatement(attach))).toBe(
      'STATEMENT_PREDICATE_INVALID',
    );
  });
});
