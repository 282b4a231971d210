/**
 * model-provenance: signed, chained provenance for ML model packaging
 * steps. Attest each step with {@link attestStep}; verify the chain behind
 * a model with {@link verifyChain}. The local Sigstore stand-in for tests is
 * in `model-provenance/testing`.
 *
 * @packageDocumentation
 */
export { attestStep } from './attest/attest-step.js';
export type {
  AttestStepOptions,
  AttestedStep,
  StepInput,
} from './attest/attest-step.js';
export {
  buildLeanStatement,
  DEFAULT_MANIFEST_SUBJECT_ABOVE,
  envelopeSize,
} from './attest/lean.js';
export type { LeanStatement, ManifestSubjectMode } from './attest/lean.js';
export { verifyChain, verifyModelChain } from './chain/verify-chain.js';
export {
  ChainNotVerifiedError,
  requireVerifiedModel,
} from './chain/require-verified.js';
export type { VerifiedModel } from './chain/require-verified.js';
export { analyzeChain } from './chain/analyze.js';
export type { AnalyzeInput } from './chain/analyze.js';
export { loadChain } from './chain/load.js';
export type { ChainNode, LoadedChain } from './chain/load.js';
export type { ManifestSource } from './chain/manifest-subject.js';
export type {
  VerifiedChain,
  VerifyChainOptions,
} from './chain/verify-chain.js';
export type { ChainResult, FileReport, StepReport } from './chain/result.js';
export type {
  Finding,
  FindingCode,
  Severity,
  SignerRef,
} from './chain/findings.js';
export { describeSigner, signerName } from './chain/signer.js';
export type { IdentitySignerRef, KeySignerRef } from './chain/signer.js';
export type { InputSource } from './chain/walk.js';
export { exportChain } from './export/export-chain.js';
export type {
  ExportChainOptions,
  ExportedChain,
} from './export/export-chain.js';
export { EXPORT_FORMAT, EXPORT_INDEX_FILE } from './export/collect.js';
export type { ExportIndex } from './export/collect.js';
export { digestModel, rootDigest, sha256File } from './digest/index.js';
export type { Manifest, ManifestEntry } from './digest/index.js';
export { serializeModel, combineDigests, HashPool } from './digest/index.js';
export { compileIgnores, DEFAULT_SHARD_SIZE } from './digest/index.js';
export type { DigestModelOptions, HashFileOptions } from './digest/index.js';
export type {
  HashedFile,
  SerializeOptions,
  SerializedModel,
} from './digest/index.js';
export type { Resource, Serialization } from './digest/index.js';
export type { HashAlgorithm, ProgressCallback } from './digest/index.js';
export { parsePolicy, validatePolicy } from './policy/policy.js';
export { loadPolicy, resolvePolicy } from './policy/load.js';
export type {
  IdentitySignerRule,
  KeySignerRule,
  Policy,
  PolicyValidationOptions,
  SignerRule,
  StepRule,
  TrustedRoot,
} from './policy/policy.js';
export { renderJson, RESULT_FORMAT } from './report/json.js';
export { renderText } from './report/text.js';
export { renderMarkdown } from './report/markdown.js';
export { renderMermaid } from './report/mermaid.js';
export {
  ambientTokenProvider,
  githubActionsTokenProvider,
  keylessSigner,
  keySigner,
  selectServices,
  signerFromSigningConfig,
  tokenProvider,
} from './signing/index.js';
export type {
  GitHubTokenSource,
  KeylessOptions,
  KeySignerOptions,
  RekorVersion,
  SelectedServices,
  Signer,
  TokenSource,
} from './signing/index.js';
export {
  parseStatement,
  PAYLOAD_TYPE,
  STATEMENT_TYPE,
} from './statement/index.js';
export type { ResourceDescriptor, Statement } from './statement/index.js';
export { buildStepStatement, buildTypeFor, readStep } from './steps/index.js';
export {
  decodeManifest,
  encodeManifest,
  MANIFEST_MEDIA_TYPE,
} from './steps/index.js';
export type { StepDescription, StepKind, StepView } from './steps/index.js';
export {
  decodeEnvelope,
  encodeEnvelope,
  preAuthEncoding,
} from './dsse/index.js';
export type { Envelope } from './dsse/index.js';
export { AttestationStore } from './store/store.js';
export { ManifestStore } from './store/manifests.js';
export {
  loadTrustedRoot,
  matchesIdentity,
  verifyAttestation,
  verifySubjects,
} from './verify/index.js';
export type {
  AttestationKeyOptions,
  IdentityRule,
  KeySignerIdentity,
  KeyVerifiedAttestation,
  SignerIdentity,
  TrustedRootHandle,
  VerifiedAttestation,
} from './verify/index.js';
export { verifyBundle } from './verify/bundle.js';
export type { VerifyBundleOptions } from './verify/bundle.js';
export type {
  BundlePolicy,
  CertificatePolicy,
} from './verify/bundle-policy.js';
export type {
  BundleVerification,
  CertificateSigner,
  KeySigner,
  SignedTime,
} from './verify/bundle-result.js';
export type { ArtifactInput } from './verify/artifact.js';
export type { BundleVersion } from './verify/bundle-input.js';
export type { MatchedSubject } from './verify/dsse-subjects.js';
export { CI_EXTENSIONS } from './verify/extensions.js';
export type {
  CertificateExtensionName,
  CertificateExtensions,
} from './verify/extensions.js';
export {
  publicGoodRoot,
  PUBLIC_GOOD_ROOT_SOURCE,
} from './verify/public-good.js';
export {
  defaultTufCachePath,
  PUBLIC_GOOD_TUF_MIRROR,
  refreshTrustedRoot,
  TRUSTED_ROOT_TARGET,
} from './trust/index.js';
export type { RefreshedTrustedRoot, RefreshOptions } from './trust/index.js';
export { signModel, verifyModelSignature } from './interop/index.js';
export type {
  OmsMethod,
  OmsMismatch,
  OmsSigner,
  OmsSigningMethod,
  OmsVerification,
} from './interop/index.js';
export { loadPublicKey } from './verify/public-key.js';
export type { VerificationKey } from './verify/public-key.js';
export {
  ChainError,
  DigestError,
  DsseError,
  ExportError,
  InteropError,
  PolicyError,
  ProvenanceError,
  SigningError,
  StatementError,
  StoreError,
  TrustError,
  UsageError,
  VerifyError,
} from './errors.js';
