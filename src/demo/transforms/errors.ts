/**
 * Errors of the demo's model transformations. Callers branch on `code`;
 * messages say what was expected and what was found.
 */
import { ProvenanceError } from '../../errors.js';

/**
 * Codes of {@link DemoModelError}.
 *
 * - `DEMO_MODEL_MISSING`: a package, model folder or file is absent.
 * - `DEMO_MODEL_INVALID`: a manifest, shard, safetensors file or config is
 *   malformed.
 * - `DEMO_MODEL_UNSUPPORTED`: well-formed input that this code does not
 *   handle (a dtype or quantization it does not know).
 * - `DEMO_ADAPTER_MISMATCH`: an adapter that does not fit its base model.
 * - `DEMO_OPTIONS_INVALID`: bad arguments (rank, target, output folder).
 * - `DEMO_WRITE_FAILED`: an output file could not be written.
 */
export type DemoModelErrorCode =
  | 'DEMO_MODEL_MISSING'
  | 'DEMO_MODEL_INVALID'
  | 'DEMO_MODEL_UNSUPPORTED'
  | 'DEMO_ADAPTER_MISMATCH'
  | 'DEMO_OPTIONS_INVALID'
  | 'DEMO_WRITE_FAILED';

/** An error of the demo's model transformations, with a stable `code`. */
export class DemoModelError extends ProvenanceError<DemoModelErrorCode> {}
