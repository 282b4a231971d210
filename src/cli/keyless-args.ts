import type { ParseArgsOptionsConfig } from 'node:util';

import { UsageError } from '../errors.js';
import { keylessSigner, type Signer } from '../signing/index.js';
import { readInput } from './io.js';

/** The options of every command that signs keyless. */
export const KEYLESS_OPTIONS = {
  'fulcio-url': { type: 'string' },
  'rekor-url': { type: 'string' },
  'tsa-url': { type: 'string' },
  'identity-token-file': { type: 'string' },
} satisfies ParseArgsOptionsConfig;

/** Their help lines. */
export const KEYLESS_OPTIONS_HELP = `  --fulcio-url URL         Fulcio (or MPROV_FULCIO_URL)
  --rekor-url URL          Rekor (or MPROV_REKOR_URL)
  --tsa-url URL            timestamp authority (optional, or MPROV_TSA_URL)
  --identity-token-file F  OIDC token file (default: $SIGSTORE_ID_TOKEN)`;

/**
 * A keyless signer from the command line and the environment. No URL has
 * a default: nothing is signed against a service the user did not name.
 */
export async function keylessSignerFrom(values: {
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'tsa-url'?: string;
  'identity-token-file'?: string;
}): Promise<Signer> {
  const env = process.env;
  const fulcioURL = values['fulcio-url'] ?? env.MPROV_FULCIO_URL;
  const rekorURL = values['rekor-url'] ?? env.MPROV_REKOR_URL;
  const tsaServerURL = values['tsa-url'] ?? env.MPROV_TSA_URL;
  const tokenFile = values['identity-token-file'];
  const identityToken = tokenFile
    ? (await readInput(tokenFile, 'identity token file')).trim()
    : env.SIGSTORE_ID_TOKEN;
  if (!fulcioURL || !rekorURL) {
    throw new UsageError(
      'USAGE_INVALID',
      '--fulcio-url and --rekor-url are required',
    );
  }
  if (!identityToken) {
    throw new UsageError(
      'USAGE_INVALID',
      'no identity token: set SIGSTORE_ID_TOKEN or --identity-token-file',
    );
  }
  return keylessSigner({
    fulcioURL,
    rekorURL,
    identityToken,
    ...(tsaServerURL ? { tsaServerURL } : {}),
  });
}
