/**
 * Hashing files and model bundles (Node only).
 * @packageDocumentation
 */
export { sha256File } from './file.js';
export { STORE_DIR, digestModel, rootDigest } from './model.js';
export type { DigestModelOptions, Manifest, ManifestEntry } from './model.js';
export { comparePaths, unsafePathReason } from './posix-path.js';
