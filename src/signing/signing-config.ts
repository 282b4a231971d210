import { SigningConfig, type Service } from '@sigstore/protobuf-specs';

import { SigningError } from '../errors.js';
import { keylessSigner } from './keyless.js';
import type { Signer } from './signer.js';

/** The signing config media type this reader accepts. */
export const SIGNING_CONFIG_MEDIA_TYPE =
  'application/vnd.dev.sigstore.signingconfig.v0.2+json';

/** Where a signing config sends each request, as selected now. */
export interface SelectedServices {
  fulcioURL: string;
  rekorURL: string;
  rekorVersion: 1 | 2;
  tsaServerURL?: string;
}

const badConfig = (message: string, cause?: unknown) =>
  new SigningError('SIGNING_BAD_CONFIG', message, { cause });

function parseConfig(json: unknown): SigningConfig {
  const raw = typeof json === 'string' ? parse(json) : json;
  const mediaType = (raw as { mediaType?: unknown } | null)?.mediaType;
  if (mediaType !== SIGNING_CONFIG_MEDIA_TYPE) {
    throw badConfig(
      `expected media type ${SIGNING_CONFIG_MEDIA_TYPE}, found ${JSON.stringify(mediaType) ?? 'none'}`,
    );
  }
  try {
    return SigningConfig.fromJSON(raw);
  } catch (cause) {
    throw badConfig('signing config does not parse', cause);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw badConfig('signing config is not JSON', cause);
  }
}

/** True when the service's validity (start and end inclusive) covers now. */
function validNow(service: Service, now: Date): boolean {
  const { start, end } = service.validFor ?? {};
  if (!start || start > now) return false;
  return !end || end >= now;
}

/**
 * The valid service of the highest supported API version, the most
 * recently started first among equals.
 */
function pick(
  services: Service[],
  versions: number[],
  now: Date,
): Service | undefined {
  return services
    .filter((s) => validNow(s, now) && versions.includes(s.majorApiVersion))
    .sort(
      (a, b) =>
        b.majorApiVersion - a.majorApiVersion ||
        (b.validFor?.start?.getTime() ?? 0) -
          (a.validFor?.start?.getTime() ?? 0),
    )[0];
}

/**
 * Selects Fulcio, Rekor and (when listed) a TSA from a signing config:
 * among the services whose validity covers `now`, the one of the highest
 * API version this library speaks (Fulcio 1, Rekor 1 or 2, TSA 1).
 *
 * @throws SigningError `SIGNING_BAD_CONFIG` for another media type, a
 *   config that does not parse, no valid Fulcio or Rekor, or Rekor v2
 *   without a valid TSA.
 */
export function selectServices(
  json: unknown,
  now = new Date(),
): SelectedServices {
  const config = parseConfig(json);
  const ca = pick(config.caUrls, [1], now);
  const rekor = pick(config.rekorTlogUrls, [1, 2], now);
  const tsa = pick(config.tsaUrls, [1], now);
  if (!ca) throw badConfig('expected a Fulcio service (caUrls) valid now');
  if (!rekor)
    throw badConfig(
      'expected a Rekor service (rekorTlogUrls) valid now, API version 1 or 2',
    );
  if (rekor.majorApiVersion === 2 && !tsa) {
    throw badConfig(
      'expected a TSA service (tsaUrls) valid now: Rekor v2 needs one',
    );
  }
  return {
    fulcioURL: ca.url,
    rekorURL: rekor.url,
    rekorVersion: rekor.majorApiVersion === 2 ? 2 : 1,
    ...(tsa && { tsaServerURL: tsa.url }),
  };
}

/**
 * A keyless signer for the services a Sigstore signing config
 * (`signing_config.json`, media type v0.2) lists, as selected by
 * {@link selectServices} when this is called. Verify its bundles with the
 * same instance's `trusted_root.json`.
 *
 * @param json - the config, as text or parsed JSON.
 * @param token - a fixed identity token, or a provider called per signature.
 * @throws SigningError `SIGNING_BAD_CONFIG` (see {@link selectServices}).
 * @example
 * ```ts
 * const signer = signerFromSigningConfig(
 *   await readFile('signing_config.json', 'utf8'), ambientTokenProvider());
 * ```
 */
export function signerFromSigningConfig(
  json: unknown,
  token: string | (() => Promise<string>),
): Signer {
  const services = selectServices(json);
  return keylessSigner({
    ...services,
    ...(typeof token === 'string'
      ? { identityToken: token }
      : { tokenProvider: token }),
  });
}
