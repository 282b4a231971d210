/**
 * in-toto Statement v1, ResourceDescriptor and SLSA Provenance v1: types,
 * strict validation and parsing. No Node-only imports.
 * @packageDocumentation
 */
export {
  ACCEPTED_STATEMENT_TYPES,
  PAYLOAD_TYPE,
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE,
} from './types.js';
export type {
  BuildDefinition,
  BuildMetadata,
  Builder,
  ResourceDescriptor,
  RunDetails,
  SlsaProvenance,
  Statement,
} from './types.js';
export { validateResourceDescriptor } from './descriptor.js';
export {
  MAX_STATEMENT_BYTES,
  MAX_STATEMENT_DEPTH,
  parseStatement,
  validateStatement,
} from './statement.js';
export { validateSlsaProvenance } from './slsa.js';
