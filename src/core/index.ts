/**
 * model-provenance/core: chain verification without Node. Given the
 * attestation bundles and the digests of the files being deployed, it
 * verifies the chain behind a model in a browser, a web worker or an edge
 * runtime, with the same result as `verifyChain` under Node. Hashing is
 * `@noble/hashes`; nothing here imports a Node built-in (a test walks the
 * imports), and in a browser the package's `browser` build of this entry
 * also replaces the Node modules that Sigstore's libraries use.
 *
 * @packageDocumentation
 */
export { verifyChainInMemory } from './verify.js';
export type { InMemoryChainOptions } from './verify.js';
export { MAX_BUNDLE_BYTES } from './inputs.js';
export type { BundleInput, FileDigests } from './inputs.js';
export { loadTrustedRoot } from '../verify/trusted-root.js';
export type { TrustedRootHandle } from '../verify/trusted-root.js';
export { validatePolicy } from '../policy/policy.js';
export type {
  Policy,
  SignerRule,
  StepRule,
  TrustedRoot,
} from '../policy/policy.js';
export { sha256Hex } from '../crypto/hash.js';
export { renderJson, RESULT_FORMAT } from '../report/json.js';
export { renderMarkdown } from '../report/markdown.js';
export { renderMermaid } from '../report/mermaid.js';
export type { ChainResult, FileReport, StepReport } from '../chain/result.js';
export type {
  Finding,
  FindingCode,
  Severity,
  SignerRef,
} from '../chain/findings.js';
export type { InputSource } from '../chain/walk.js';
export { describeSigner, signerName } from '../chain/signer.js';
export {
  ProvenanceError,
  DigestError,
  PolicyError,
  VerifyError,
} from '../errors.js';
