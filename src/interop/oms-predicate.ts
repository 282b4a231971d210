import { InteropError } from '../errors.js';
import type { Statement } from '../statement/index.js';

/** The model_signing predicate types this library reads. */
export const OMS_PREDICATE_V1 = 'https://model_signing/signature/v1.0';
export const OMS_PREDICATE_V01 = 'https://model_signing/Digests/v0.1';

/** What a model.sig says was signed, and how it was serialized. */
export interface OmsPredicate {
  predicateType: string;
  method: 'files' | 'shards';
  hashType: string;
  shardSize?: number;
  allowSymlinks: boolean;
  ignorePaths: string[];
  /** In the statement's order: the subject digest is made in that order. */
  resources: { name: string; algorithm: string; digest: string }[];
}

const HEX = /^[0-9a-f]+$/;

/**
 * Reads the model_signing predicate of a verified statement: v1.0, or the
 * older `Digests/v0.1` form whose subjects are the files.
 *
 * @throws InteropError `OMS_UNSUPPORTED` or `OMS_MALFORMED`.
 */
export function readOmsPredicate(statement: Statement): OmsPredicate {
  if (statement.predicateType === OMS_PREDICATE_V01)
    return fromSubjects(statement);
  if (statement.predicateType !== OMS_PREDICATE_V1) {
    throw new InteropError(
      'OMS_UNSUPPORTED',
      `predicate type ${JSON.stringify(statement.predicateType)}`,
    );
  }
  const p = statement.predicate as {
    serialization?: Record<string, unknown>;
    resources?: unknown;
  };
  const s = p.serialization ?? {};
  const method = s.method;
  if (method !== 'files' && method !== 'shards') bad('serialization.method');
  const hashType = s.hash_type;
  if (hashType !== 'sha256' && hashType !== 'blake2b') {
    throw new InteropError(
      'OMS_UNSUPPORTED',
      `hash type ${JSON.stringify(hashType)}`,
    );
  }
  const shardSize = s.shard_size;
  if (
    method === 'shards' &&
    !(
      typeof shardSize === 'number' &&
      shardSize > 0 &&
      Number.isInteger(shardSize)
    )
  ) {
    bad('serialization.shard_size');
  }
  const ignore = s.ignore_paths ?? [];
  if (!Array.isArray(ignore) || !ignore.every((i) => typeof i === 'string'))
    bad('serialization.ignore_paths');
  return {
    predicateType: OMS_PREDICATE_V1,
    method,
    hashType,
    ...(method === 'shards' ? { shardSize: shardSize as number } : {}),
    allowSymlinks: s.allow_symlinks === true,
    ignorePaths: ignore,
    resources: resources(p.resources),
  };
}

function resources(value: unknown): OmsPredicate['resources'] {
  if (!Array.isArray(value)) bad('resources');
  return (value as unknown[]).map((r, i) => {
    const { name, algorithm, digest } = (r ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof algorithm !== 'string')
      bad(`resources[${i}]`);
    if (typeof digest !== 'string' || !HEX.test(digest))
      bad(`resources[${i}].digest`);
    return {
      name: name,
      algorithm: algorithm,
      digest: digest,
    };
  });
}

function fromSubjects(statement: Statement): OmsPredicate {
  const resources = statement.subject.map((s, i) => {
    const digest = s.digest?.sha256;
    if (s.name === undefined || digest === undefined) bad(`subject[${i}]`);
    return {
      name: s.name,
      algorithm: 'sha256',
      digest: digest,
    };
  });
  return {
    predicateType: OMS_PREDICATE_V01,
    method: 'files',
    hashType: 'sha256',
    allowSymlinks: false,
    ignorePaths: [],
    resources,
  };
}

function bad(where: string): never {
  throw new InteropError('OMS_MALFORMED', `model_signing predicate: ${where}`);
}
