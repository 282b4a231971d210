import { writeFileAtomic } from '../store/atomic.js';

/**
 * How often `mprov stand-in` rewrites its token files. A token lives ten
 * minutes, so one read from a file has at least five minutes left.
 */
export const TOKEN_RENEW_MS = 5 * 60 * 1000;

/** Runs `tick` every `ms` until the function it returns is called. */
export type Schedule = (tick: () => Promise<void>, ms: number) => () => void;

const everyInterval: Schedule = (tick, ms) => {
  const timer = setInterval(() => void tick(), ms);
  return () => clearInterval(timer);
};

/** What to renew, and how. */
export interface TokenRenewalOptions {
  /** Identity to the file that holds its token. */
  files: ReadonlyMap<string, string>;
  /** Mints a fresh token for an identity. */
  mint: (identity: string) => Promise<string>;
  /** Default {@link TOKEN_RENEW_MS}. */
  everyMs?: number;
  /** Default `setInterval`; tests pass their own. */
  schedule?: Schedule;
  /** Called for a token that could not be renewed; the others go on. */
  onError?: (identity: string, error: unknown) => void;
}

/** A running renewal. */
export interface TokenRenewal {
  /** Rewrites every token file now, after any renewal under way. */
  renew(): Promise<void>;
  /** Stops the timer, then waits for a renewal under way to finish. */
  stop(): Promise<void>;
}

/**
 * Rewrites each token file with a fresh token on a timer, each file
 * replaced whole (a reader sees the old token or the new, never a part).
 */
export function renewTokens(options: TokenRenewalOptions): TokenRenewal {
  let running = Promise.resolve();
  let stopped = false;
  const renewAll = async () => {
    for (const [identity, file] of options.files) {
      if (stopped) return;
      try {
        await writeTokenFile(file, await options.mint(identity));
      } catch (error) {
        options.onError?.(identity, error);
      }
    }
  };
  const renew = () => (running = running.then(renewAll));
  const schedule = options.schedule ?? everyInterval;
  const cancel = schedule(renew, options.everyMs ?? TOKEN_RENEW_MS);
  return {
    renew,
    async stop() {
      stopped = true;
      cancel();
      await running;
    },
  };
}

/** Replaces a token file atomically, readable by its owner only. */
export async function writeTokenFile(
  file: string,
  token: string,
): Promise<void> {
  await writeFileAtomic(file, token + '\n', 0o600);
}
