import { readFile } from 'node:fs/promises';

import { TrustError, UsageError } from '../errors.js';
import { escapeForTerminal } from '../report/escape.js';
import { refreshTrustedRoot } from '../trust/refresh.js';
import type { RefreshedTrustedRoot } from '../trust/refresh.js';
import {
  describeError,
  EXIT,
  parseCommandArgs,
  type CliIO,
  type Command,
} from './io.js';
import { writeOutputFile } from './output.js';
import { refreshOptionsOf, TUF_HELP, TUF_OPTIONS } from './trust-args.js';

const HELP = `usage: mprov trust update [--tuf-mirror URL] [--tuf-root FILE]
         [--tuf-cache DIR] [--force] [--offline-ok] [--out FILE] [--json]

Fetches the Sigstore trusted_root.json through TUF, verifying every piece
of TUF metadata from a trusted initial root: the one that @sigstore/tuf
ships for the public-good instance, or --tuf-root for a private mirror.
This command is the only one that uses the network for a trusted root;
verify-bundle does so only with --tuf-refresh.

options:
${TUF_HELP}
  --force                           forget the cached metadata of the
                                    mirror and start from the initial root
  --out FILE                        also copy the verified trusted_root.json
                                    to FILE (for --trusted-root, or for a
                                    site with no network)
  --json                            print the result as JSON on stdout
  -h, --help                        show this help

exit codes: 0 refreshed, 1 the refresh failed (mirror unreachable, metadata
not signed, expired or rolled back, target changed, or another refresh of
the same cache still running after 60 s), 2 bad options, an
initial root that is missing, invalid or not the cached one, a cache that
cannot be used (TRUST_CACHE_FAILED), or an --out file that cannot be written

examples:
  mprov trust update --out trusted_root.json
  mprov trust update --tuf-mirror https://tuf.example.internal \\
    --tuf-root root.json --tuf-cache /var/cache/mprov/tuf --json
  mprov verify-bundle --tuf-refresh --bundle a.txt.sigstore.json \\
    --certificate-identity me@example.com \\
    --certificate-oidc-issuer https://accounts.google.com a.txt
`;

const OPTIONS = {
  ...TUF_OPTIONS,
  force: { type: 'boolean', default: false },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Names the JSON output of this command and its version. */
const FORMAT = 'https://model-provenance.dev/trust-update-result/v1';

/** Failures of what the user gave rather than of the mirror: exit 2. */
const INPUT_CODES = new Set([
  'TRUST_OPTIONS_INVALID',
  'TRUST_INITIAL_ROOT_MISSING',
  'TRUST_INITIAL_ROOT_INVALID',
  'TRUST_CACHE_FAILED',
]);

function renderText(r: RefreshedTrustedRoot, out?: string): string {
  const lines = [
    r.refreshFailure
      ? 'using the cached trusted root'
      : 'refreshed trusted root',
    `  source:       ${r.source}`,
    `  digest:       ${r.root.digest}`,
    `  file:         ${r.path}`,
    ...(out === undefined ? [] : [`  copied to:    ${out}`]),
  ];
  return lines.map((line) => `${escapeForTerminal(line)}\n`).join('');
}

function renderJson(r: RefreshedTrustedRoot, out?: string): string {
  const body = {
    format: FORMAT,
    refreshed: r.refreshFailure === undefined,
    source: r.source,
    digest: r.root.digest,
    mirror: r.mirror,
    tufRootVersion: r.tufRootVersion,
    fetchedAt: r.fetchedAt.toISOString(),
    path: r.path,
    ...(out !== undefined && { copiedTo: out }),
    ...(r.refreshFailure && { refreshFailure: r.refreshFailure.code }),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

function renderFailure(error: TrustError, json: boolean, io: CliIO): void {
  if (json) {
    const { code, message } = error;
    const body = { format: FORMAT, refreshed: false, code, message };
    io.stdout(JSON.stringify(body, null, 2) + '\n');
  }
  io.stderr(describeError(error));
}

/** Copies the verified root, read back whole (at most 4 MiB), to `--out`. */
async function copyOut(from: string, to: string): Promise<void> {
  await writeOutputFile(to, await readFile(from));
}

async function update(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: OPTIONS,
  });
  if (positionals.length > 0) {
    throw new UsageError('USAGE_INVALID', 'trust update takes no arguments');
  }
  let result: RefreshedTrustedRoot;
  try {
    result = await refreshTrustedRoot({
      ...refreshOptionsOf(values),
      force: values.force,
    });
  } catch (error) {
    if (!(error instanceof TrustError) || INPUT_CODES.has(error.code)) {
      throw error;
    }
    renderFailure(error, values.json, io);
    return EXIT.failed;
  }
  if (values.out !== undefined) await copyOut(result.path, values.out);
  const render = values.json ? renderJson : renderText;
  io.stdout(render(result, values.out));
  return EXIT.ok;
}

async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'update') {
    throw new UsageError(
      'USAGE_INVALID',
      'expected a subcommand: mprov trust update (see --help)',
    );
  }
  return update(rest, io);
}

/** `mprov trust update`: refresh the Sigstore trusted root through TUF. */
export const trustCommand: Command = {
  summary: 'refresh the Sigstore trusted root through TUF',
  help: HELP,
  run,
};
