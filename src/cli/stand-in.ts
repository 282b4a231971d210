import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { UsageError } from '../errors.js';
import { escapeForTerminal } from '../report/escape.js';
import { startStandIn, type StandIn } from '../testing/index.js';
import {
  EXIT,
  parseCommandArgs,
  requiredOption,
  type CliIO,
  type Command,
} from './io.js';
import {
  renewTokens,
  TOKEN_RENEW_MS,
  writeTokenFile,
  type TokenRenewal,
} from './stand-in-tokens.js';

const HELP = `usage: mprov stand-in --dir DIR [--identity ID ...] [--seconds N]

Starts the local Sigstore stand-in (OIDC issuer, Fulcio, Rekor, timestamp
authority) on 127.0.0.1, for trying mprov or testing a pipeline offline.
It writes into DIR:
  trusted_root.json    the stand-in's trusted root, for mprov verify
  env.sh               MPROV_FULCIO_URL, MPROV_REKOR_URL, MPROV_TSA_URL and
                       MPROV_OIDC_ISSUER, for "source DIR/env.sh"
  tokens/ID.jwt        an identity token for each --identity, valid 10
                       minutes and rewritten with a fresh one every
                       ${TOKEN_RENEW_MS / 60_000} minutes while the stand-in runs
and serves until interrupted (Ctrl-C), or for --seconds N. Read a token
file when you use it, not once at the start: each read has at least
${TOKEN_RENEW_MS / 60_000} minutes left.

It is a test double: its keys live in memory and die with it. Never use
it to sign anything you ship.

options:
  --dir DIR        where to write the files above (created if needed)
  --identity ID    an e-mail or URI to mint a token for (repeatable)
  --seconds N      stop after N seconds (default: run until interrupted)
  -h, --help       show this help

example:
  npx mprov stand-in --dir sandbox --identity me@example.com &
  source sandbox/env.sh
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      dir: { type: 'string' },
      identity: { type: 'string', multiple: true, default: [] },
      seconds: { type: 'string' },
    },
  });
  const dir = requiredOption(values.dir, '--dir DIR', 'stand-in');
  const seconds = values.seconds === undefined ? 0 : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new UsageError('USAGE_INVALID', '--seconds: expected an integer');
  }
  for (const id of values.identity) tokenFileName(id);

  const standIn = await startStandIn();
  let renewal: TokenRenewal | undefined;
  try {
    const tokens = await writeFiles(standIn, dir, values.identity);
    renewal = renewTokens({
      files: tokens,
      mint: (id) => standIn.mintToken(id),
      onError: (id, error) => io.stderr(renewalFailed(id, error)),
    });
    io.stdout(`stand-in listening on ${standIn.url}\n`);
    io.stdout(
      `  ${join(dir, 'trusted_root.json')}\n  ${join(dir, 'env.sh')}\n`,
    );
    for (const [id, file] of tokens)
      io.stdout(`  ${file}  (token for ${id}, renewed while running)\n`);
    await stopped(seconds);
  } finally {
    // No token is written after the stand-in that signs for it is gone.
    await renewal?.stop();
    await standIn.close();
  }
  io.stdout('stand-in stopped\n');
  return EXIT.ok;
}

async function writeFiles(
  standIn: StandIn,
  dir: string,
  identities: string[],
): Promise<Map<string, string>> {
  // Owner only, as the token files themselves.
  await mkdir(join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  await chmod(join(dir, 'tokens'), 0o700);
  await writeFile(
    join(dir, 'trusted_root.json'),
    JSON.stringify(standIn.trustedRoot, null, 2) + '\n',
  );
  const env = [
    `export MPROV_FULCIO_URL=${standIn.fulcioURL}`,
    `export MPROV_REKOR_URL=${standIn.rekorURL}`,
    `export MPROV_TSA_URL=${standIn.tsaURL}`,
    `export MPROV_OIDC_ISSUER=${standIn.issuer}`,
  ];
  await writeFile(join(dir, 'env.sh'), env.join('\n') + '\n');
  const files = new Map<string, string>();
  for (const identity of identities) {
    const token = await standIn.mintToken(identity);
    const file = join(dir, 'tokens', tokenFileName(identity));
    await writeTokenFile(file, token);
    files.set(identity, file);
  }
  return files;
}

/** One line for stderr: which token, and why; never the token itself. */
function renewalFailed(identity: string, error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const why = typeof code === 'string' ? code : 'failed';
  return (
    escapeForTerminal(
      `mprov: warning: token for ${identity} not renewed (${why})`,
    ) + '\n'
  );
}

/** A file name for an identity's token: the identity, made path-safe. */
function tokenFileName(identity: string): string {
  const safe = identity.replace(/[^A-Za-z0-9@._-]+/g, '_');
  if (safe === '' || safe.startsWith('.')) {
    throw new UsageError('USAGE_INVALID', `--identity ${identity}: unusable`);
  }
  return `${safe}.jwt`;
}

function stopped(seconds: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      clearTimeout(timer);
      resolve();
    };
    const timer =
      seconds > 0
        ? setTimeout(done, seconds * 1000)
        : setInterval(() => {}, 1 << 30);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** `mprov stand-in`: run the local Sigstore stand-in for offline trials. */
export const standInCommand: Command = {
  summary: 'run a local Sigstore stand-in on 127.0.0.1 for offline trials',
  help: HELP,
  run,
};
