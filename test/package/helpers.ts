import { spawn } from 'node:child_process';
import { delimiter, dirname } from 'node:path';

/** What a child process left behind. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A port on loopback where nothing listens: any request fails at once. */
export const SINK = 'http://127.0.0.1:9';

/**
 * The environment for npm and `mprov` in a child process, which the
 * loopback guard of the test worker does not cover. npm runs offline
 * (cache only), and its proxy points at {@link SINK}, so a request that
 * npm would make anyway fails locally instead of reaching a registry. (Only
 * npm's own proxy settings: the standard proxy variables are removed, as
 * they would send the stand-in's loopback traffic to the sink too.) The
 * registry itself is left as configured: npm keys its cache by registry
 * URL, so pointing it elsewhere would miss the cache that `npm ci` filled.
 * The repository's Node 22 comes first on the PATH, and the outer npm's
 * script variables are dropped so they do not steer the inner npm.
 */
export function offlineEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keep.has(key.toLowerCase())) continue;
    if (/^(https?|no|all)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
    npm_config_offline: 'true',
    npm_config_proxy: SINK,
    npm_config_https_proxy: SINK,
    npm_config_noproxy: '',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
}

/** Runs a command to its end, feeding `stdin` if given, never a shell. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: Buffer | string },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? offlineEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Like {@link run}, but throws with stderr when the exit code is not 0. */
export async function runOk(
  command: string,
  args: string[],
  options: Parameters<typeof run>[2],
): Promise<Ran> {
  const ran = await run(command, args, options);
  if (ran.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${ran.code}: ${ran.stderr}`,
    );
  }
  return ran;
}
