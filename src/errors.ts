/**
 * Errors of this library. Each area has its own class with a closed set of
 * codes; callers branch on `code`, never on the message. Messages say what
 * was expected and what was found, and never contain a token, key or secret.
 */

/** Base class of every error this library throws. */
export class ProvenanceError<C extends string = string> extends Error {
  /** A stable, machine-readable code such as `DIGEST_NOT_FOUND`. */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Hashing files and model directories. */
export type DigestErrorCode =
  | 'DIGEST_READ_FAILED'
  | 'DIGEST_NOT_A_FILE'
  | 'DIGEST_SYMLINK'
  | 'DIGEST_BAD_PATH'
  | 'DIGEST_EMPTY_MODEL'
  | 'DIGEST_FILE_CHANGED'
  | 'DIGEST_MALFORMED'
  | 'DIGEST_SYMLINK_ESCAPE'
  | 'DIGEST_BAD_OPTIONS'
  | 'DIGEST_WORKER_FAILED';
export class DigestError extends ProvenanceError<DigestErrorCode> {}

/** Parsing and validating in-toto Statements and SLSA predicates. */
export type StatementErrorCode =
  | 'STATEMENT_NOT_JSON'
  | 'STATEMENT_NOT_UTF8'
  | 'STATEMENT_DUPLICATE_KEY'
  | 'STATEMENT_TOO_LARGE'
  | 'STATEMENT_INVALID'
  | 'STATEMENT_NO_SUBJECT'
  | 'STATEMENT_PREDICATE_INVALID'
  | 'STATEMENT_TYPE_UNSUPPORTED'
  | 'STATEMENT_DESCRIPTOR_INVALID'
  | 'STATEMENT_DIGEST_INVALID';
export class StatementError extends ProvenanceError<StatementErrorCode> {}

/** DSSE envelopes. */
export type DsseErrorCode = 'DSSE_MALFORMED' | 'DSSE_PAYLOAD_TYPE';
export class DsseError extends ProvenanceError<DsseErrorCode> {}

/** Signing: identity tokens and Sigstore services. */
export type SigningErrorCode =
  | 'SIGNING_NO_TOKEN'
  | 'SIGNING_FAILED'
  | 'SIGNING_BAD_OPTIONS'
  | 'SIGNING_BAD_KEY'
  | 'SIGNING_BAD_CONFIG';
export class SigningError extends ProvenanceError<SigningErrorCode> {}

/** Verifying one attestation. */
export type VerifyErrorCode =
  | 'VERIFY_BUNDLE_MALFORMED'
  | 'VERIFY_BUNDLE_EMPTY'
  | 'VERIFY_SIGNATURE_FAILED'
  | 'VERIFY_TRUSTED_ROOT_INVALID'
  | 'VERIFY_IDENTITY_MISMATCH'
  | 'VERIFY_NOT_DSSE'
  | 'VERIFY_SUBJECT_MISMATCH'
  | 'VERIFY_SIGNATURE_COUNT'
  | 'VERIFY_IDENTITY_RULE_INVALID'
  | 'VERIFY_BUNDLE_UNSUPPORTED'
  | 'VERIFY_ARTIFACT_INVALID'
  | 'VERIFY_ARTIFACT_MISMATCH'
  | 'VERIFY_KEY_INVALID'
  | 'VERIFY_KEY_MISMATCH'
  | 'VERIFY_MATERIAL_MISMATCH'
  | 'VERIFY_CERTIFICATE_FAILED'
  | 'VERIFY_TLOG_FAILED'
  | 'VERIFY_TIMESTAMP_FAILED'
  | 'VERIFY_ISSUER_MISMATCH'
  | 'VERIFY_EXTENSION_MISMATCH';
export class VerifyError extends ProvenanceError<VerifyErrorCode> {}

/** Loading and validating a policy. */
export type PolicyErrorCode =
  'POLICY_UNREADABLE' | 'POLICY_NOT_PARSEABLE' | 'POLICY_INVALID';
export class PolicyError extends ProvenanceError<PolicyErrorCode> {}

/** The attestation store beside a model bundle. */
export type StoreErrorCode =
  | 'STORE_UNREADABLE'
  | 'STORE_WRITE_FAILED'
  | 'STORE_ENTRY_TOO_LARGE'
  | 'STORE_ENTRY_INVALID';
export class StoreError extends ProvenanceError<StoreErrorCode> {}

/** Command-line usage and input errors (exit code 2). */
export type UsageErrorCode =
  'USAGE_INVALID' | 'USAGE_INPUT_UNREADABLE' | 'USAGE_OUTPUT_UNWRITABLE';
export class UsageError extends ProvenanceError<UsageErrorCode> {}

/** Writing what the browser core needs into a folder (`exportChain`). */
export type ExportErrorCode =
  | 'EXPORT_NO_ATTESTATION'
  | 'EXPORT_INPUT_UNREADABLE'
  | 'EXPORT_OUTPUT_NOT_EMPTY'
  | 'EXPORT_OUTPUT_UNUSABLE'
  | 'EXPORT_WRITE_FAILED';
export class ExportError extends ProvenanceError<ExportErrorCode> {}

/** A chain that did not verify, where the caller asked for a verified one. */
export type ChainErrorCode = 'CHAIN_NOT_VERIFIED';
export class ChainError extends ProvenanceError<ChainErrorCode> {}

/** OpenSSF Model Signing signatures (model.sig). */
export type InteropErrorCode =
  | 'OMS_MALFORMED'
  | 'OMS_UNSUPPORTED'
  | 'OMS_SIGNATURE_INVALID'
  | 'OMS_CHAIN_INVALID'
  | 'OMS_IDENTITY_MISMATCH'
  | 'OMS_MODEL_MISMATCH';
export class InteropError extends ProvenanceError<InteropErrorCode> {}

/** Refreshing a Sigstore trusted root through TUF. */
export type TrustErrorCode =
  | 'TRUST_OPTIONS_INVALID'
  | 'TRUST_INITIAL_ROOT_MISSING'
  | 'TRUST_INITIAL_ROOT_INVALID'
  | 'TRUST_CACHE_FAILED'
  | 'TRUST_CACHE_LOCKED'
  | 'TRUST_MIRROR_UNREACHABLE'
  | 'TRUST_DOWNLOAD_FAILED'
  | 'TRUST_METADATA_UNSIGNED'
  | 'TRUST_METADATA_EXPIRED'
  | 'TRUST_METADATA_ROLLBACK'
  | 'TRUST_METADATA_INVALID'
  | 'TRUST_TARGET_MISSING'
  | 'TRUST_TARGET_MISMATCH'
  | 'TRUST_TARGET_INVALID';
export class TrustError extends ProvenanceError<TrustErrorCode> {}
