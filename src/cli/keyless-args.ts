import type { ParseArgsOptionsConfig } from 'node:util';

import { UsageError } from '../errors.js';
import {
  ambientTokenProvider,
  GITHUB_TOKEN_VAR,
  GITHUB_URL_VAR,
  keylessSigner,
  keySigner,
  TOKEN_ENV_VAR,
  type Signer,
} from '../signing/index.js';
import { readInput } from './io.js';

/** The options of every command that signs keyless. */
export const KEYLESS_OPTIONS = {
  'fulcio-url': { type: 'string' },
  'rekor-url': { type: 'string' },
  'rekor-version': { type: 'string' },
  'tsa-url': { type: 'string' },
  'identity-token-file': { type: 'string' },
} satisfies ParseArgsOptionsConfig;

/** Their help lines. */
export const KEYLESS_OPTIONS_HELP = `  --fulcio-url URL         Fulcio (or MPROV_FULCIO_URL)
  --rekor-url URL          Rekor (or MPROV_REKOR_URL)
  --rekor-version 1|2      Rekor API (default 1); 2 needs --tsa-url
  --tsa-url URL            timestamp authority (optional, or MPROV_TSA_URL)
  --identity-token-file F  OIDC token file (default: GitHub Actions' OIDC
                           endpoint when its variables are set, else
                           $SIGSTORE_ID_TOKEN)`;

/** The key option of commands that may sign with a key instead. */
export const KEY_OPTIONS = {
  key: { type: 'string' },
} satisfies ParseArgsOptionsConfig;

/** Its help lines. */
export const KEY_OPTIONS_HELP = `  --key PEM                sign with this private key (ECDSA P-256 or P-384,
                           or Ed25519) instead of keyless; passphrase from
                           MPROV_KEY_PASSPHRASE; logged in Rekor (v1) when
                           a Rekor URL is given, else fully offline`;

interface SigningValues {
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'rekor-version'?: string;
  'tsa-url'?: string;
  'identity-token-file'?: string;
  key?: string;
}

function rekorVersionOf(value: string | undefined): 1 | 2 {
  if (value === undefined || value === '1') return 1;
  if (value === '2') return 2;
  throw new UsageError('USAGE_INVALID', '--rekor-version must be 1 or 2');
}

/** A fixed token (file, then SIGSTORE_ID_TOKEN) or the ambient provider. */
async function tokenOption(file: string | undefined) {
  if (file) {
    const identityToken = (await readInput(file, 'identity token file')).trim();
    return { identityToken };
  }
  const env = process.env;
  if (env[TOKEN_ENV_VAR] || (env[GITHUB_URL_VAR] && env[GITHUB_TOKEN_VAR])) {
    return { tokenProvider: ambientTokenProvider() };
  }
  throw new UsageError(
    'USAGE_INVALID',
    `no identity token: set ${TOKEN_ENV_VAR}, use --identity-token-file, or run in GitHub Actions with id-token: write`,
  );
}

/**
 * A keyless signer from the command line and the environment. No URL has
 * a default: nothing is signed against a service the user did not name.
 */
export async function keylessSignerFrom(
  values: SigningValues,
): Promise<Signer> {
  const env = process.env;
  const fulcioURL = values['fulcio-url'] ?? env.MPROV_FULCIO_URL;
  const rekorURL = values['rekor-url'] ?? env.MPROV_REKOR_URL;
  const tsaServerURL = values['tsa-url'] ?? env.MPROV_TSA_URL;
  const rekorVersion = rekorVersionOf(values['rekor-version']);
  if (!fulcioURL || !rekorURL) {
    throw new UsageError(
      'USAGE_INVALID',
      '--fulcio-url and --rekor-url are required',
    );
  }
  if (rekorVersion === 2 && !tsaServerURL) {
    throw new UsageError('USAGE_INVALID', '--rekor-version 2 needs --tsa-url');
  }
  return keylessSigner({
    fulcioURL,
    rekorURL,
    rekorVersion,
    ...(await tokenOption(values['identity-token-file'])),
    ...(tsaServerURL ? { tsaServerURL } : {}),
  });
}

/**
 * The signer the options ask for: key-based with `--key`, else keyless.
 * With a key, Rekor and the TSA are optional and Fulcio is not used.
 */
export async function signerFrom(values: SigningValues): Promise<Signer> {
  if (values.key === undefined) return keylessSignerFrom(values);
  if (rekorVersionOf(values['rekor-version']) !== 1) {
    throw new UsageError('USAGE_INVALID', '--key logs to Rekor v1 only');
  }
  const env = process.env;
  const rekorURL = values['rekor-url'] ?? env.MPROV_REKOR_URL;
  const tsaServerURL = values['tsa-url'] ?? env.MPROV_TSA_URL;
  const passphrase = env.MPROV_KEY_PASSPHRASE;
  return keySigner({
    privateKey: await readInput(values.key, 'private key'),
    ...(rekorURL ? { rekorURL } : {}),
    ...(tsaServerURL ? { tsaServerURL } : {}),
    ...(passphrase ? { passphrase } : {}),
  });
}
