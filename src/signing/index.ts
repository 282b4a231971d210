/**
 * Signing: the {@link Signer} interface, the keyless Sigstore signer and
 * identity-token providers.
 *
 * @packageDocumentation
 */
export type { Signer } from './signer.js';
export { keylessSigner } from './keyless.js';
export type { KeylessOptions } from './keyless.js';
export { keySigner } from './key.js';
export {
  SIGNING_CONFIG_MEDIA_TYPE,
  selectServices,
  signerFromSigningConfig,
} from './signing-config.js';
export type { SelectedServices } from './signing-config.js';
export type { KeySignerOptions } from './key.js';
export { TOKEN_ENV_VAR, ambientTokenProvider, tokenProvider } from './token.js';
export type { TokenSource } from './token.js';
export {
  GITHUB_TOKEN_VAR,
  GITHUB_URL_VAR,
  githubActionsTokenProvider,
} from './github.js';
export type { GitHubTokenSource } from './github.js';
export type { RekorVersion } from './witnesses.js';
