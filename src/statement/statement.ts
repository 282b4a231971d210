import { StatementError } from '../errors.js';
import { validateResourceDescriptor } from './descriptor.js';
import { parseStrictJson, StrictJsonError } from '../json/strict.js';
import { fail, isObject, kindOf } from './json.js';
import { ACCEPTED_STATEMENT_TYPES, type Statement } from './types.js';

/** Largest statement accepted, in bytes. */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/** Deepest nesting of arrays and objects accepted in a statement. */
export const MAX_STATEMENT_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Validates an in-toto Statement (v1, or v0.1 which v1 validators accept).
 * Every subject must be a valid ResourceDescriptor carrying a digest. The
 * predicate must be an object; its content is checked by predicate
 * validators such as {@link validateSlsaProvenance}.
 *
 * @param v - A parsed JSON value.
 * @returns A copy holding only the known fields.
 * @throws {@link StatementError} `STATEMENT_TYPE_UNSUPPORTED` for another
 *   `_type`; `STATEMENT_NO_SUBJECT` for an absent or empty subject list;
 *   `STATEMENT_INVALID` for a wrong shape, a subject
 *   without digest, an empty predicate type or no predicate;
 *   `STATEMENT_DESCRIPTOR_INVALID` or `STATEMENT_DIGEST_INVALID` for a bad
 *   subject.
 */
export function validateStatement(v: unknown): Statement {
  if (!isObject(v)) {
    throw fail(
      'STATEMENT_INVALID',
      'statement',
      `expected an object, found ${kindOf(v)}`,
    );
  }
  const type = v._type;
  if (typeof type !== 'string' || !ACCEPTED_STATEMENT_TYPES.includes(type)) {
    throw fail(
      'STATEMENT_TYPE_UNSUPPORTED',
      '_type',
      `expected ${ACCEPTED_STATEMENT_TYPES.join(' or ')}, found ${JSON.stringify(type) ?? 'nothing'}`,
    );
  }
  const subject = validateSubjects(v.subject);

  const { predicateType, predicate } = v;
  if (typeof predicateType !== 'string' || predicateType === '') {
    throw fail(
      'STATEMENT_INVALID',
      'predicateType',
      'expected a non-empty string',
    );
  }
  if (!isObject(predicate)) {
    throw fail(
      'STATEMENT_INVALID',
      'predicate',
      `expected an object, found ${kindOf(predicate)}`,
    );
  }
  return { _type: type, subject, predicateType, predicate };
}

function validateSubjects(v: unknown): Statement['subject'] {
  // No subject at all is its own failure: a statement about nothing.
  if (v === undefined || (Array.isArray(v) && v.length === 0)) {
    throw fail('STATEMENT_NO_SUBJECT', 'subject', 'expected a subject');
  }
  if (!Array.isArray(v)) {
    throw fail('STATEMENT_INVALID', 'subject', 'expected a non-empty array');
  }
  return v.map((item: unknown, i) => {
    const rd = validateResourceDescriptor(item, `subject[${i}]`);
    if (Object.keys(rd.digest ?? {}).length === 0) {
      throw fail(
        'STATEMENT_INVALID',
        `subject[${i}].digest`,
        'expected at least one digest',
      );
    }
    return rd;
  });
}

/**
 * Parses statement bytes strictly: at most {@link MAX_STATEMENT_BYTES},
 * valid UTF-8 without byte order mark, JSON, nesting at most
 * {@link MAX_STATEMENT_DEPTH}, then {@link validateStatement}. Parse the
 * exact bytes whose signature was verified, never a re-encoding.
 *
 * @param bytes - The DSSE payload.
 * @returns The validated statement.
 * @throws {@link StatementError} `STATEMENT_TOO_LARGE`, `STATEMENT_NOT_UTF8`,
 *   `STATEMENT_NOT_JSON`, or any code of {@link validateStatement}.
 * @example
 * const statement = parseStatement(envelope.payload);
 */
export function parseStatement(bytes: Uint8Array): Statement {
  if (bytes.byteLength > MAX_STATEMENT_BYTES) {
    throw new StatementError(
      'STATEMENT_TOO_LARGE',
      `expected at most ${MAX_STATEMENT_BYTES} bytes, found ${bytes.byteLength}`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new StatementError('STATEMENT_NOT_UTF8', 'expected UTF-8 text', {
      cause,
    });
  }
  let value: unknown;
  try {
    value = parseStrictJson(text, MAX_STATEMENT_DEPTH);
  } catch (cause) {
    throw jsonError(cause);
  }
  return validateStatement(value);
}

const JSON_CODES = {
  syntax: 'STATEMENT_NOT_JSON',
  'duplicate-key': 'STATEMENT_DUPLICATE_KEY',
  'too-deep': 'STATEMENT_TOO_LARGE',
} as const;

function jsonError(cause: unknown): StatementError {
  const reason = cause instanceof StrictJsonError ? cause.reason : 'syntax';
  const message =
    cause instanceof StrictJsonError ? cause.message : 'expected JSON';
  return new StatementError(JSON_CODES[reason], message, { cause });
}
