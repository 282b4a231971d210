import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner } from '@sigstore/sign';

import { SigningError } from '../errors.js';
import { safeMessage, withoutToken } from './redact.js';
import { checkSignInput, type Signer } from './signer.js';
import { ambientTokenProvider } from './token.js';
import {
  checkURL,
  checkWitnessOptions,
  HTTP_TIMEOUT_MS,
  witnessesFor,
  type RekorVersion,
} from './witnesses.js';

/** Where to sign and with which identity. No URL has a default. */
export interface KeylessOptions {
  /** Fulcio base URL, e.g. `https://fulcio.example`. */
  fulcioURL: string;
  /** Rekor base URL. */
  rekorURL: string;
  /**
   * Rekor API: 1 (default, `dsse` 0.0.1 entries with a signed entry
   * timestamp) or 2 (`dsse` 0.0.2 entries, no signed time: requires
   * `tsaServerURL`).
   */
  rekorVersion?: RekorVersion;
  /** A timestamp authority base URL; adds an RFC 3161 timestamp. */
  tsaServerURL?: string;
  /** A fixed OIDC identity token. Give this or `tokenProvider`. */
  identityToken?: string;
  /** Called once per signature for a fresh token. */
  tokenProvider?: () => Promise<string>;
}

function pickTokenSource(opts: KeylessOptions): () => Promise<string> {
  const { identityToken, tokenProvider } = opts;
  if (identityToken !== undefined && tokenProvider !== undefined) {
    throw new SigningError(
      'SIGNING_BAD_OPTIONS',
      'expected identityToken or tokenProvider, found both',
    );
  }
  if (identityToken !== undefined) return () => Promise.resolve(identityToken);
  return tokenProvider ?? ambientTokenProvider();
}

async function fetchToken(source: () => Promise<string>): Promise<string> {
  let token: unknown;
  try {
    token = await source();
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw new SigningError('SIGNING_NO_TOKEN', 'token provider failed', {
      cause: error,
    });
  }
  // A JWT is three base64url parts; say nothing about the value itself.
  if (typeof token !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    throw new SigningError(
      'SIGNING_NO_TOKEN',
      'expected the identity token to be a JWT (three base64url parts)',
    );
  }
  refuseExpired(token);
  return token;
}

/**
 * An expired token would only earn a bare 401 from Fulcio; say so first.
 * A token whose claims cannot be read is left for Fulcio to judge.
 */
function refuseExpired(token: string): void {
  let exp: unknown;
  try {
    const claims = token.split('.')[1] ?? '';
    exp = (
      JSON.parse(Buffer.from(claims, 'base64url').toString()) as {
        exp?: unknown;
      }
    ).exp;
  } catch {
    return;
  }
  if (typeof exp === 'number' && exp * 1000 <= Date.now()) {
    const when = new Date(exp * 1000).toISOString();
    throw new SigningError(
      'SIGNING_NO_TOKEN',
      `the identity token expired at ${when}: get a fresh one`,
    );
  }
}

/**
 * A keyless Sigstore signer: an ephemeral key certified by Fulcio for the
 * OIDC identity, the DSSE envelope logged in Rekor as a `dsse` entry (v1 or
 * v2 API), and an RFC 3161 timestamp when `tsaServerURL` is set. Bundles
 * are v0.3 JSON. Without `identityToken` or `tokenProvider`, the token comes
 * from {@link ambientTokenProvider} (GitHub Actions, else
 * `SIGSTORE_ID_TOKEN`). No error it throws contains the token.
 *
 * @throws SigningError `SIGNING_BAD_OPTIONS` for a missing or non-http(s)
 *   URL, two token sources, or Rekor v2 without a TSA; `signDsse` throws
 *   `SIGNING_NO_TOKEN` when no usable token is found and `SIGNING_FAILED`
 *   when a service refuses.
 * @example
 * ```ts
 * const signer = keylessSigner({ fulcioURL, rekorURL, identityToken });
 * const bundle = await signer.signDsse(statementBytes,
 *   'application/vnd.in-toto+json');
 * ```
 */
export function keylessSigner(opts: KeylessOptions): Signer {
  checkURL('fulcioURL', opts.fulcioURL);
  checkURL('rekorURL', opts.rekorURL);
  checkWitnessOptions(opts);
  const source = pickTokenSource(opts);
  return {
    async signDsse(payload, payloadType) {
      checkSignInput(payload, payloadType);
      const token = await fetchToken(source);
      return signWithToken(opts, token, payload, payloadType);
    },
  };
}

async function signWithToken(
  opts: KeylessOptions,
  token: string,
  payload: Buffer,
  payloadType: string,
): Promise<unknown> {
  const signer = new FulcioSigner({
    fulcioBaseURL: opts.fulcioURL,
    identityProvider: { getToken: () => Promise.resolve(token) },
    timeout: HTTP_TIMEOUT_MS,
  });
  const builder = new DSSEBundleBuilder({
    signer,
    witnesses: witnessesFor(opts),
  });
  try {
    const bundle = await builder.create({ data: payload, type: payloadType });
    return bundleToJSON(bundle);
  } catch (error) {
    throw new SigningError(
      'SIGNING_FAILED',
      `keyless signing failed: ${safeMessage(error, token)}${unreachable(error, opts)}`,
      { cause: withoutToken(error, token) },
    );
  }
}

/** When a service did not answer at all, name the URLs that were tried. */
function unreachable(error: unknown, opts: KeylessOptions): string {
  let reason: unknown = error;
  for (let depth = 0; reason instanceof Error && depth < 8; depth += 1) {
    const code = (reason as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
      return ` (no answer from ${opts.fulcioURL} or ${opts.rekorURL}: is the service running?)`;
    }
    reason = reason.cause;
  }
  return '';
}
