/**
 * Hashing files and model bundles (Node only).
 * @packageDocumentation
 */
export { sha256File } from './file.js';
export type { HashFileOptions } from './file.js';
export type { HashAlgorithm } from './algorithm.js';
export { DEFAULT_IGNORES, compileIgnores } from './ignore.js';
export type { IgnoreRules } from './ignore.js';
export { STORE_DIR, digestModel, rootDigest } from './model.js';
export type { DigestModelOptions, Manifest, ManifestEntry } from './model.js';
export { HashPool } from './pool.js';
export { comparePaths, unsafePathReason } from './posix-path.js';
export {
  DEFAULT_SHARD_SIZE,
  combineDigests,
  serializeModel,
} from './serialize.js';
export type {
  HashedFile,
  ProgressCallback,
  Resource,
  Serialization,
  SerializationMethod,
  SerializeOptions,
  SerializedModel,
} from './serialize.js';
