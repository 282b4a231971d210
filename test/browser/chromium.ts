/**
 * Starts Debian's Chromium headless on one page, with a fresh profile and
 * the flags that keep it off the network but for the page's own server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary: MPROV_CHROMIUM, or Debian's package. */
export const CHROMIUM = process.env.MPROV_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  // Root in a container: Chromium's sandbox needs user namespaces.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // Nothing but 127.0.0.1: no QUIC probes, no Google services, no proxy.
  '--disable-quic',
  '--no-proxy-server',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-breakpad',
];

export interface Browser {
  /** Chromium's stderr so far, for a failure message. */
  log(): string;
  /** Rejects when Chromium exits on its own. */
  exited: Promise<never>;
  close(): Promise<void>;
}

/**
 * Opens `url` in headless Chromium.
 *
 * @throws Error saying how to install Chromium when the binary is missing.
 */
export async function openPage(url: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: run scripts/ensure-chromium.sh ` +
        `(as root it installs Debian's chromium package) or set MPROV_CHROMIUM`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'mprov-chromium-'));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, url], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString('utf8')).slice(-8000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`Chromium exited (${code ?? signal}):\n${log}`)),
    );
  });
  exited.catch(() => undefined);
  return {
    log: () => log,
    exited,
    close: async () => {
      await stop(child);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Kills Chromium's process group (it was started detached, as a leader). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
  await gone;
}
