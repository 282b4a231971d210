/**
 * Signing: the {@link Signer} interface, the keyless Sigstore signer and
 * identity-token providers.
 *
 * @packageDocumentation
 */
export type { Signer } from './signer.js';
export { keylessSigner } from './keyless.js';
export type { KeylessOptions } from './keyless.js';
export { TOKEN_ENV_VAR, tokenProvider } from './token.js';
export type { TokenSource } from './token.js';
