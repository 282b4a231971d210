import { RekorWitness, TSAWitness, type Witness } from '@sigstore/sign';

import { SigningError } from '../errors.js';

/** Per-request timeout for Rekor and the TSA. */
export const HTTP_TIMEOUT_MS = 30_000;

/** The Rekor API versions a signer can write to. */
export type RekorVersion = 1 | 2;

/** Where a signature is witnessed: a log, a timestamp authority, or both. */
export interface WitnessOptions {
  rekorURL?: string;
  /** 1 (default): `dsse` 0.0.1 entries; 2: `dsse` 0.0.2, TSA required. */
  rekorVersion?: RekorVersion;
  tsaServerURL?: string;
}

/**
 * Checks a URL option: an http(s) URL. No URL has a default.
 *
 * @throws SigningError `SIGNING_BAD_OPTIONS`.
 */
export function checkURL(name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    throw new SigningError(
      'SIGNING_BAD_OPTIONS',
      `expected ${name} to be an http(s) URL`,
    );
  }
  return value as string;
}

/**
 * Checks the witness options: URLs, a known Rekor version, and a TSA for
 * Rekor v2, whose entries carry no signed time of their own.
 *
 * @throws SigningError `SIGNING_BAD_OPTIONS`.
 */
export function checkWitnessOptions(opts: WitnessOptions): void {
  if (opts.rekorURL !== undefined) checkURL('rekorURL', opts.rekorURL);
  if (opts.tsaServerURL !== undefined) {
    checkURL('tsaServerURL', opts.tsaServerURL);
  }
  const version: unknown = opts.rekorVersion ?? 1;
  if (version !== 1 && version !== 2) {
    throw new SigningError(
      'SIGNING_BAD_OPTIONS',
      `expected rekorVersion 1 or 2, found ${JSON.stringify(version)}`,
    );
  }
  if (version === 2 && opts.tsaServerURL === undefined) {
    throw new SigningError(
      'SIGNING_BAD_OPTIONS',
      'expected tsaServerURL with rekorVersion 2: Rekor v2 entries carry no signed time',
    );
  }
}

/** The witnesses for checked options, the log first. */
export function witnessesFor(opts: WitnessOptions): Witness[] {
  const list: Witness[] = [];
  if (opts.rekorURL !== undefined) {
    list.push(
      new RekorWitness({
        rekorBaseURL: opts.rekorURL,
        entryType: 'dsse',
        majorApiVersion: opts.rekorVersion ?? 1,
        timeout: HTTP_TIMEOUT_MS,
      }),
    );
  }
  if (opts.tsaServerURL !== undefined) {
    list.push(
      new TSAWitness({
        tsaBaseURL: opts.tsaServerURL,
        timeout: HTTP_TIMEOUT_MS,
      }),
    );
  }
  return list;
}
