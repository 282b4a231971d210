import { StatementError } from '../errors.js';
import { validateResourceDescriptor } from './descriptor.js';
import {
  fail,
  isObject,
  kindOf,
  optionalObject,
  optionalString,
  type JsonObject,
} from './json.js';
import type {
  BuildDefinition,
  BuildMetadata,
  Builder,
  ResourceDescriptor,
  RunDetails,
  SlsaProvenance,
} from './types.js';

const CODE = 'STATEMENT_PREDICATE_INVALID';

/** RFC 3339 date-time, as SLSA's Timestamp fields require. */
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Validates a SLSA Provenance v1 predicate.
 *
 * Required: `buildDefinition.buildType` (non-empty),
 * `buildDefinition.externalParameters` (an object), `runDetails.builder.id`
 * (non-empty). Optional fields are checked for type; descriptors must be
 * valid and times RFC 3339. Unknown fields are dropped.
 *
 * @param v - The statement's `predicate`.
 * @returns A typed copy.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID`, with the
 *   descriptor error as `cause` when a descriptor is at fault.
 */
export function validateSlsaProvenance(v: unknown): SlsaProvenance {
  const root = requireObject(v, 'predicate');
  return {
    buildDefinition: buildDefinition(root),
    runDetails: runDetails(root),
  };
}

function buildDefinition(root: JsonObject): BuildDefinition {
  const at = 'predicate.buildDefinition';
  const bd = requireObject(root.buildDefinition, at);
  const out: BuildDefinition = {
    buildType: requireString(bd, 'buildType', at),
    externalParameters: requireObject(
      bd.externalParameters,
      `${at}.externalParameters`,
    ),
  };
  const internal = optionalObject(bd, 'internalParameters', at, CODE);
  if (internal !== undefined) out.internalParameters = internal;
  const deps = descriptors(bd, 'resolvedDependencies', at);
  if (deps !== undefined) out.resolvedDependencies = deps;
  return out;
}

function runDetails(root: JsonObject): RunDetails {
  const at = 'predicate.runDetails';
  const rd = requireObject(root.runDetails, at);
  const out: RunDetails = { builder: builder(rd, at) };
  const meta = optionalObject(rd, 'metadata', at, CODE);
  if (meta !== undefined) out.metadata = metadata(meta, `${at}.metadata`);
  const byproducts = descriptors(rd, 'byproducts', at);
  if (byproducts !== undefined) out.byproducts = byproducts;
  return out;
}

function builder(runDetails: JsonObject, parent: string): Builder {
  const at = `${parent}.builder`;
  const b = requireObject(runDetails.builder, at);
  const out: Builder = { id: requireString(b, 'id', at) };
  const version = optionalObject(b, 'version', at, CODE);
  if (version !== undefined) {
    for (const [k, val] of Object.entries(version)) {
      if (typeof val !== 'string') {
        throw fail(CODE, `${at}.version.${k}`, 'expected a string');
      }
    }
    out.version = version as Record<string, string>;
  }
  const deps = descriptors(b, 'builderDependencies', at);
  if (deps !== undefined) out.builderDependencies = deps;
  return out;
}

function metadata(meta: JsonObject, at: string): BuildMetadata {
  const out: BuildMetadata = {};
  const invocationId = optionalString(meta, 'invocationId', at, CODE);
  if (invocationId !== undefined) out.invocationId = invocationId;
  for (const key of ['startedOn', 'finishedOn'] as const) {
    const t = optionalString(meta, key, at, CODE);
    if (t === undefined) continue;
    if (!RFC3339.test(t) || Number.isNaN(Date.parse(t))) {
      throw fail(CODE, `${at}.${key}`, 'expected an RFC 3339 date-time');
    }
    out[key] = t;
  }
  return out;
}

function descriptors(
  obj: JsonObject,
  key: string,
  parent: string,
): ResourceDescriptor[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  const at = `${parent}.${key}`;
  if (!Array.isArray(v)) {
    throw fail(CODE, at, `expected an array, found ${kindOf(v)}`);
  }
  return v.map((item: unknown, i) => {
    try {
      return validateResourceDescriptor(item, `${at}[${i}]`);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new StatementError(CODE, message, { cause });
    }
  });
}

function requireObject(v: unknown, at: string): JsonObject {
  if (!isObject(v)) {
    throw fail(CODE, at, `expected an object, found ${kindOf(v)}`);
  }
  return v;
}

function requireString(obj: JsonObject, key: string, at: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') {
    throw fail(CODE, `${at}.${key}`, 'expected a non-empty string');
  }
  return v;
}
