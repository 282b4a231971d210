/** The `_type` of an in-toto Statement v1. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/**
 * `_type` values accepted when validating: v1, and v0.1, which the in-toto
 * reference validator still accepts for compatibility.
 */
export const ACCEPTED_STATEMENT_TYPES: readonly string[] = [
  STATEMENT_TYPE,
  'https://in-toto.io/Statement/v0.1',
];

/** The DSSE payload type of an in-toto Statement. */
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The predicate type of SLSA Provenance v1. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** An in-toto ResourceDescriptor: one artifact, named and/or digested. */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  /** Algorithm name to digest, e.g. `{ sha256: '<64 lower-case hex>' }`. */
  digest?: Record<string, string>;
  /** The resource's bytes, base64-encoded. */
  content?: string;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

/** An in-toto Statement: subjects and a typed predicate about them. */
export interface Statement {
  _type: string;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** SLSA Provenance v1 `buildDefinition`. */
export interface BuildDefinition {
  buildType: string;
  externalParameters: Record<string, unknown>;
  internalParameters?: Record<string, unknown>;
  resolvedDependencies?: ResourceDescriptor[];
}

/** SLSA Provenance v1 `runDetails.builder`. */
export interface Builder {
  id: string;
  version?: Record<string, string>;
  builderDependencies?: ResourceDescriptor[];
}

/** SLSA Provenance v1 `runDetails.metadata`; times are RFC 3339 strings. */
export interface BuildMetadata {
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
}

/** SLSA Provenance v1 `runDetails`. */
export interface RunDetails {
  builder: Builder;
  metadata?: BuildMetadata;
  byproducts?: ResourceDescriptor[];
}

/** A SLSA Provenance v1 predicate. */
export interface SlsaProvenance {
  buildDefinition: BuildDefinition;
  runDetails: RunDetails;
}
