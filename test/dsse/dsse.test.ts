import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DsseError } from '../../src/errors.js';
import {
  decodeBase64,
  decodeEnvelope,
  encodeBase64,
  encodeEnvelope,
  preAuthEncoding,
  type Envelope,
} from '../../src/dsse/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DsseError ? e.code : 'not a DsseError';
  }
  return undefined;
}

const envelopeArb: fc.Arbitrary<Envelope> = fc.record({
  payload: fc.uint8Array({ maxLength: 300 }),
  payloadType: fc.string({ unit: 'grapheme' }),
  signatures: fc.array(
    fc.record(
      { keyid: fc.string(), sig: fc.uint8Array({ maxLength: 80 }) },
      { requiredKeys: ['sig'] },
    ),
    { minLength: 1, maxLength: 3 },
  ),
});

describe('#preAuthEncoding', () => {
  describe("when given the DSSE specification's example", () => {
    it('returns the published encoding', () => {
      const pae = preAuthEncoding(
        'http://example.com/HelloWorld',
        enc.encode('hello world'),
      );
      expect(dec.decode(pae)).toBe(
        'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
      );
    });
  });

  describe('when the type and payload are not ASCII', () => {
    it('returns lengths in UTF-8 bytes', () => {
      const pae = preAuthEncoding('tÿpe', enc.encode('é'));
      expect(dec.decode(pae)).toBe('DSSEv1 5 tÿpe 2 é');
    });
  });

  describe('when the payload is binary', () => {
    it('returns the payload bytes unchanged at the end', () => {
      const payload = Uint8Array.of(0, 255, 10, 32);
      const pae = preAuthEncoding('t', payload);
      expect(pae.slice(-4)).toEqual(payload);
      expect(dec.decode(pae.slice(0, -4))).toBe('DSSEv1 1 t 4 ');
    });
  });
});

describe('#encodeEnvelope and #decodeEnvelope', () => {
  describe('when given any envelope', () => {
    it('returns it after a round trip, from text and from parsed JSON', () => {
      fc.assert(
        fc.property(envelopeArb, (e) => {
          const text = encodeEnvelope(e);
          expect(decodeEnvelope(text)).toEqual(e);
          expect(decodeEnvelope(JSON.parse(text))).toEqual(e);
        }),
      );
    });
  });

  describe('when the base64 is URL-safe or unpadded', () => {
    it('returns the same bytes as standard base64', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          const std = encodeBase64(bytes);
          const url = std.replace(/\+/g, '-').replace(/\//g, '_');
          expect(decodeBase64(url)).toEqual(bytes);
          expect(decodeBase64(std.replace(/=+$/, ''))).toEqual(bytes);
          expect(Buffer.from(bytes).toString('base64')).toBe(std);
        }),
      );
    });
  });

  describe('when given a hand-written URL-safe envelope', () => {
    it('returns the decoded fields', () => {
      const e = decodeEnvelope({
        payload: '-_8',
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ keyid: 'k', sig: 'AQ==' }],
      });
      expect(e.payload).toEqual(Uint8Array.of(0xfb, 0xff));
      expect(e.signatures).toEqual([{ keyid: 'k', sig: Uint8Array.of(1) }]);
    });
  });

  describe('when the envelope is malformed', () => {
    const ok = {
      payload: 'AA==',
      payloadType: 't',
      signatures: [{ sig: 'AA==' }],
    };
    it.each([
      ['not JSON', '{'],
      ['an array', '[]'],
      ['null', null],
      ['payload missing', { ...ok, payload: undefined }],
      ['payload with mixed alphabets', { ...ok, payload: 'a+b_' }],
      ['payload with whitespace', { ...ok, payload: 'AA AA' }],
      ['payload with stray bits', { ...ok, payload: 'AB==' }],
      ['payload with wrong padding', { ...ok, payload: 'AA=' }],
      ['payload of one char', { ...ok, payload: 'A' }],
      ['payloadType a number', { ...ok, payloadType: 1 }],
      ['no signatures', { ...ok, signatures: [] }],
      ['signatures an object', { ...ok, signatures: {} }],
      ['sig missing', { ...ok, signatures: [{ keyid: 'k' }] }],
      ['keyid a number', { ...ok, signatures: [{ keyid: 1, sig: 'AA==' }] }],
    ])('throws DSSE_MALFORMED for %s', (_, v) => {
      expect(codeOf(() => decodeEnvelope(v))).toBe('DSSE_MALFORMED');
    });

    it('throws DSSE_MALFORMED on encode without signatures', () => {
      const e = { payload: new Uint8Array(), payloadType: 't', signatures: [] };
      expect(codeOf(() => encodeEnvelope(e))).toBe('DSSE_MALFORMED');
    });
  });

  describe('when given arbitrary JSON', () => {
    it('returns an envelope or throws DSSE_MALFORMED, nothing else', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const code = codeOf(() => decodeEnvelope(v));
          expect([undefined, 'DSSE_MALFORMED']).toContain(code);
        }),
      );
    });
  });
});
