import { DigestError } from '../errors.js';
import { STORE_DIR } from './store-dir.js';
import { unsafePathReason } from './posix-path.js';

/** Paths ignored in every model directory: the store and git's metadata. */
export const DEFAULT_IGNORES: readonly string[] = [STORE_DIR, '.git'];

/** Compiled ignore patterns; see {@link compileIgnores}. */
export interface IgnoreRules {
  /** Every pattern in force, defaults first, as given. */
  readonly patterns: readonly string[];
  /** Whether a relative path is ignored (its ancestors are not checked). */
  matches(rel: string): boolean;
}

/**
 * Compiles ignore patterns. A pattern is a relative POSIX path, matched
 * against every file and directory of the model (a matched directory is
 * skipped whole). Within a component, `*` matches any run of characters
 * and `?` one character; a `**` component matches any number of
 * components. A pattern without wildcards is an exact path.
 *
 * @param user - Patterns given by the caller, added to
 *   {@link DEFAULT_IGNORES}.
 * @returns The rules.
 * @throws {@link DigestError} `DIGEST_BAD_PATH` for a pattern that is not a
 *   safe relative path.
 * @example
 * compileIgnores(['logs', '**\/*.tmp']).matches('a/b.tmp'); // true
 */
export function compileIgnores(user: readonly string[]): IgnoreRules {
  const patterns = [...DEFAULT_IGNORES, ...user];
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const pattern of patterns) {
    const reason = unsafePathReason(pattern);
    if (reason !== undefined) {
      throw new DigestError(
        'DIGEST_BAD_PATH',
        `ignore path ${JSON.stringify(pattern)} ${reason}`,
      );
    }
    if (/[*?]/.test(pattern)) globs.push(globToRegExp(pattern));
    else exact.add(pattern);
  }
  return {
    patterns,
    matches: (rel) => exact.has(rel) || globs.some((re) => re.test(rel + '/')),
  };
}

/** Builds a RegExp that matches `path + '/'` for paths the glob names. */
function globToRegExp(glob: string): RegExp {
  let source = '^';
  for (const part of glob.split('/')) {
    if (part === '**') {
      source += '(?:[^/]+/)*';
      continue;
    }
    for (const ch of part) {
      if (ch === '*') source += '[^/]*';
      else if (ch === '?') source += '[^/]';
      else source += ch.replace(/[\\^$.+()[\]{}|]/g, '\\$&');
    }
    source += '/';
  }
  return new RegExp(source + '$', 'u');
}
