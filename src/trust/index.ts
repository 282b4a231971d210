/**
 * Sigstore trusted roots refreshed through TUF.
 *
 * @packageDocumentation
 */
export { PUBLIC_GOOD_TUF_MIRROR } from './cache.js';
export { defaultTufCachePath } from './default-cache.js';
export { refreshTrustedRoot, TRUSTED_ROOT_TARGET } from './refresh.js';
export type { RefreshOptions, RefreshedTrustedRoot } from './refresh.js';
