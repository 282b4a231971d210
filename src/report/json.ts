import type { ChainResult } from '../chain/result.js';

/** Identifies the JSON rendering of a chain verification and its version. */
export const RESULT_FORMAT = 'https://model-provenance.dev/verify-result/v1';

/**
 * Renders a chain verification as JSON: the result's fields under a
 * `format` that names this schema and its version.
 */
export function renderJson(result: ChainResult): string {
  return JSON.stringify({ format: RESULT_FORMAT, ...result }, null, 2) + '\n';
}
