/**
 * Larger than any real Sigstore bundle; bounds the work done on hostile
 * input. The one limit every reader of bundles holds to: the store, the
 * bundle reader and the browser core. A leaf module, so that the store's
 * layer can import it without the verifier.
 */
export const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;
