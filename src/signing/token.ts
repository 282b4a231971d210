import { readFile } from 'node:fs/promises';

import { SigningError } from '../errors.js';
import {
  GITHUB_TOKEN_VAR,
  GITHUB_URL_VAR,
  githubActionsTokenProvider,
  inGitHubActions,
} from './github.js';

/** The environment variable Sigstore clients read an identity token from. */
export const TOKEN_ENV_VAR = 'SIGSTORE_ID_TOKEN';

/** Largest token file read, in bytes; real OIDC tokens are a few KB. */
const MAX_TOKEN_BYTES = 64 * 1024;

/** Where {@link tokenProvider} looks for an identity token. */
export interface TokenSource {
  /** Environment to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** A file holding the token, read when the variable is unset. */
  file?: string;
}

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    const data = await readFile(file);
    if (data.length > MAX_TOKEN_BYTES) {
      throw new SigningError(
        'SIGNING_NO_TOKEN',
        `token file ${file} is larger than ${MAX_TOKEN_BYTES} bytes`,
      );
    }
    text = data.toString('utf8').trim();
  } catch (error) {
    if (error instanceof SigningError) throw error;
    // The cause is a file-system error: it names the path, not the content.
    throw new SigningError(
      'SIGNING_NO_TOKEN',
      `cannot read token file ${file}`,
      { cause: error },
    );
  }
  if (text.length === 0) {
    throw new SigningError('SIGNING_NO_TOKEN', `token file ${file} is empty`);
  }
  return text;
}

/**
 * A token provider that reads `SIGSTORE_ID_TOKEN`, else the given file. It
 * reads afresh on every call, so a CI job may refresh the file.
 *
 * @throws SigningError `SIGNING_NO_TOKEN` (from the returned function) when
 *   neither source holds a token.
 * @example
 * ```ts
 * const signer = keylessSigner({ fulcioURL, rekorURL,
 *   tokenProvider: tokenProvider({ file: '/var/run/sigstore/token' }) });
 * ```
 */
export function tokenProvider(source: TokenSource = {}): () => Promise<string> {
  return async () => {
    const env = source.env ?? process.env;
    const fromEnv = env[TOKEN_ENV_VAR]?.trim();
    if (fromEnv) return fromEnv;
    if (source.file !== undefined) return readTokenFile(source.file);
    throw new SigningError(
      'SIGNING_NO_TOKEN',
      `expected an identity token in ${TOKEN_ENV_VAR} or a token file, found none`,
    );
  };
}

/**
 * The token provider for the environment the process runs in: GitHub
 * Actions' OIDC endpoint when its variables are set, else
 * `SIGSTORE_ID_TOKEN` (GitLab CI with `id_tokens`, Buildkite, CircleCI and
 * any CI that can put a token there). It decides on every call.
 *
 * @throws SigningError `SIGNING_NO_TOKEN` (from the returned function) when
 *   neither source is present, or the GitHub endpoint refuses.
 * @example
 * ```ts
 * const signer = keylessSigner({ fulcioURL, rekorURL,
 *   tokenProvider: ambientTokenProvider() });
 * ```
 */
export function ambientTokenProvider(
  source: Pick<TokenSource, 'env'> = {},
): () => Promise<string> {
  return async () => {
    const env = source.env ?? process.env;
    if (inGitHubActions(env)) return githubActionsTokenProvider({ env })();
    const fromEnv = env[TOKEN_ENV_VAR]?.trim();
    if (fromEnv) return fromEnv;
    throw new SigningError(
      'SIGNING_NO_TOKEN',
      `expected an identity token: run in GitHub Actions with id-token: write (${GITHUB_URL_VAR} and ${GITHUB_TOKEN_VAR}), or set ${TOKEN_ENV_VAR}`,
    );
  };
}
