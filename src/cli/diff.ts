import type { ChainResult } from '../chain/result.js';
import { escapeForTerminal } from '../report/escape.js';
import { CHAIN_OPTIONS_HELP, verifyFromArgs } from './chain-args.js';
import { EXIT, type CliIO, type Command } from './io.js';

const HELP = `usage: mprov diff MODEL --policy FILE [--trusted-root FILE] [--json]

Compares a deployed model folder with its chain: for each file, whether it
is as the last step produced it, modified, unattested (no step produced
it) or missing, and which step made the content it should have.

options:
${CHAIN_OPTIONS_HELP}
  --json               print the file list as JSON
  -h, --help           show this help

exit codes: 0 every file as the chain says, 1 some differ, 2 usage or
input error

example:
  mprov diff demo-out/attacks/tampered-weights --policy demo-out/policy.yaml \\
    --trusted-root demo-out/trusted_root.json
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { result, values } = await verifyFromArgs(args, 'diff', {
    json: { type: 'boolean', default: false },
  });
  io.stdout(
    values.json ? JSON.stringify(result.files, null, 2) + '\n' : render(result),
  );
  const same =
    result.files.length > 0 && result.files.every((f) => f.status === 'ok');
  return same ? EXIT.ok : EXIT.failed;
}

function render(result: ChainResult): string {
  if (result.files.length === 0) return 'no files\n';
  const width = Math.max(...result.files.map((f) => f.name.length));
  const lines = result.files.map((f) => {
    const made = f.producedBy
      ? `made by ${f.producedBy.kind} [${f.producedBy.attestation.slice(0, 12)}]`
      : '';
    const digests =
      f.status === 'modified'
        ? `expected sha256:${f.expected?.slice(0, 12)} found sha256:${f.sha256?.slice(0, 12)}  `
        : '';
    return `${f.name.padEnd(width)}  ${f.status.padEnd(10)}  ${digests}${made}`;
  });
  return lines.map(escapeForTerminal).join('\n') + '\n';
}

/** `mprov diff`: which files differ from the chain, and who made them. */
export const diffCommand: Command = {
  summary: 'compare a deployed folder with its chain, file by file',
  help: HELP,
  run,
};
