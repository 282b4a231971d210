import { UsageError } from '../errors.js';
import { PUBLIC_GOOD_TUF_MIRROR } from '../trust/cache.js';
import { defaultTufCachePath } from '../trust/default-cache.js';
import {
  refreshTrustedRoot,
  type RefreshedTrustedRoot,
  type RefreshOptions,
} from '../trust/refresh.js';

/** The options that say where and how to refresh through TUF. */
export const TUF_OPTIONS = {
  'tuf-mirror': { type: 'string' },
  'tuf-root': { type: 'string' },
  'tuf-cache': { type: 'string' },
  'offline-ok': { type: 'boolean', default: false },
} as const;

/** Their lines in a command's help, in the column of verify-bundle's. */
export const TUF_HELP = `  --tuf-mirror URL                  the TUF repository (default the
                                    public-good one:
                                    ${PUBLIC_GOOD_TUF_MIRROR})
  --tuf-root FILE                   the mirror's initial root.json (needed
                                    once for a private mirror)
  --tuf-cache DIR                   where TUF metadata is kept (default
                                    $XDG_CACHE_HOME/mprov/tuf, or
                                    ~/.cache/mprov/tuf)
  --offline-ok                      if the mirror cannot be reached, use the
                                    cached copy while its TUF metadata has
                                    not expired`;

/** The values of {@link TUF_OPTIONS} as `parseArgs` returns them. */
export interface TufValues {
  'tuf-mirror'?: string | undefined;
  'tuf-root'?: string | undefined;
  'tuf-cache'?: string | undefined;
  'offline-ok'?: boolean | undefined;
}

/** The TUF options given, by flag, to refuse them where they do nothing. */
export function givenTufOptions(values: TufValues): string[] {
  return Object.keys(TUF_OPTIONS)
    .filter((name) => {
      const value = values[name as keyof TufValues];
      return value !== undefined && value !== false;
    })
    .map((name) => `--${name}`);
}

/** The refresh that the options ask for; the mirror defaults to public-good. */
export function refreshOptionsOf(values: TufValues): RefreshOptions {
  const rootPath = values['tuf-root'];
  return {
    mirrorUrl: values['tuf-mirror'] ?? PUBLIC_GOOD_TUF_MIRROR,
    cachePath: values['tuf-cache'] ?? defaultTufCachePath(),
    ...(rootPath !== undefined && { rootPath }),
    offlineOk: values['offline-ok'] === true,
  };
}

/**
 * For a verifying command: `--tuf-refresh` refreshes through TUF; without it
 * the other TUF options are refused, so that none is silently ignored and
 * nothing touches the network unless the user asked.
 */
export async function tufRootOf(
  values: TufValues & { 'tuf-refresh'?: boolean; 'trusted-root'?: string },
): Promise<RefreshedTrustedRoot | undefined> {
  const given = givenTufOptions(values);
  if (!values['tuf-refresh']) {
    if (given.length > 0) {
      throw new UsageError(
        'USAGE_INVALID',
        `${given.join(', ')} needs --tuf-refresh`,
      );
    }
    return undefined;
  }
  if (values['trusted-root'] !== undefined) {
    throw new UsageError(
      'USAGE_INVALID',
      'expected --trusted-root or --tuf-refresh, not both',
    );
  }
  return refreshTrustedRoot(refreshOptionsOf(values));
}
