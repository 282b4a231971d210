/**
 * Packaging step kinds, their build types and parameter schemas, and the
 * SLSA Provenance v1 statements that record them. No Node-only imports.
 * @packageDocumentation
 */
export {
  BUILD_TYPE_BASE,
  BUILT_IN_KINDS,
  buildTypeFor,
  kindFromBuildType,
} from './kinds.js';
export type { StepKind } from './kinds.js';
export type { Artifact } from './artifact.js';
export { buildStepStatement } from './build.js';
export type { StepDescription } from './build.js';
export { readStep } from './read.js';
export type { StepView } from './read.js';
export { validateParameters } from './params.js';
export {
  decodeManifest,
  encodeManifest,
  MANIFEST_MEDIA_TYPE,
  MANIFEST_SUBJECT_NAME,
} from './manifest.js';
