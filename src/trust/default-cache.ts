import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The cache folder `mprov` uses when none is given:
 * `$XDG_CACHE_HOME/mprov/tuf`, else `~/.cache/mprov/tuf`
 * (`%LOCALAPPDATA%\mprov\tuf` on Windows). The library itself always takes
 * the folder from its caller.
 *
 * @param env - the environment to read; `process.env` by default.
 */
export function defaultTufCachePath(
  env: NodeJS.ProcessEnv = process.env,
): string {
  const base =
    env.XDG_CACHE_HOME ??
    (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) ??
    join(homedir(), '.cache');
  return join(base, 'mprov', 'tuf');
}
