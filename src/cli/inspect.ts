import { readFile, stat } from 'node:fs/promises';

import { UsageError } from '../errors.js';
import { escapeForTerminal } from '../report/escape.js';
import { AttestationStore } from '../store/store.js';
import {
  inspectAttestation,
  loadTrustedRoot,
  type Inspection,
  type TrustedRootHandle,
} from '../verify/index.js';
import {
  EXIT,
  parseCommandArgs,
  readJson,
  type CliIO,
  type Command,
} from './io.js';

const HELP = `usage: mprov inspect PATH [--trusted-root FILE] [--json]

Shows what attestations say: step, signer, time, inputs, outputs and
parameters. PATH is one bundle file (.sigstore.json), a store folder, or a
model folder (its .mprov store). With --trusted-root each attestation is
verified first and shown from the verified bytes; without, its content is
decoded and marked UNVERIFIED: do not trust it.

options:
  --trusted-root FILE  verify each attestation against this trusted root
  --json               print the inspections as JSON
  -h, --help           show this help

exit codes: 0 shown (and, with --trusted-root, all verified), 1 some did
not verify, 2 usage or input error

example:
  mprov inspect demo-out/model --trusted-root demo-out/trusted_root.json
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      'trusted-root': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) {
    throw new UsageError('USAGE_INVALID', 'expected exactly one PATH');
  }
  const rootPath = values['trusted-root'];
  const root = rootPath
    ? loadTrustedRoot(await readJson(rootPath, 'trusted root'))
    : undefined;
  const entries = await attestationsAt(path);
  const shown = await Promise.all(
    entries.map(async (e) => ({
      id: e.id,
      ...(await inspectAttestation(e.bytes, root)),
    })),
  );
  io.stdout(
    values.json ? JSON.stringify(shown, null, 2) + '\n' : render(shown, root),
  );
  return shown.some((s) => s.verified === false) ? EXIT.failed : EXIT.ok;
}

async function attestationsAt(path: string) {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new UsageError('USAGE_INPUT_UNREADABLE', `cannot read ${path}`);
  }
  if (info.isFile()) {
    const { createHash } = await import('node:crypto');
    const bytes = await readFile(path);
    return [{ id: createHash('sha256').update(bytes).digest('hex'), bytes }];
  }
  const asStore = await new AttestationStore(path).list();
  return asStore.length > 0 ? asStore : AttestationStore.forModel(path).list();
}

function render(
  shown: (Inspection & { id: string })[],
  root: TrustedRootHandle | undefined,
): string {
  const lines = [
    `${shown.length} attestation(s)` +
      (root
        ? `, checked against trusted root ${root.digest}`
        : ', NOT verified'),
    '',
  ];
  for (const s of shown) lines.push(...renderOne(s));
  return lines.map(escapeForTerminal).join('\n') + '\n';
}

function renderOne(s: Inspection & { id: string }): string[] {
  const status =
    s.verified === true
      ? 'verified'
      : s.verified === false
        ? 'FAILED'
        : 'UNVERIFIED';
  const lines = [
    `${s.id.slice(0, 12)}  ${status}${s.problem ? `: ${s.problem}` : ''}`,
  ];
  if (s.step) {
    const signer = s.signer?.identity ?? '?';
    const issuer = s.signer?.issuer ? ` (issuer ${s.signer.issuer})` : '';
    lines.push(
      `  step     ${s.step.kind}  [${s.step.buildType}]`,
      `  signer   ${signer}${issuer}`,
      `  time     ${s.signedAt?.toISOString() ?? '?'}`,
      `  builder  ${s.step.builderId}`,
      `  params   ${JSON.stringify(s.step.parameters)}`,
      ...s.step.inputs.map(
        (i) =>
          `  in       ${i.role ? `${i.role}: ` : ''}${i.name} sha256:${i.sha256}`,
      ),
      ...s.step.outputs.map((o) => `  out      ${o.name} sha256:${o.sha256}`),
    );
  }
  lines.push('');
  return lines;
}

/** `mprov inspect`: show attestations, verified or marked unverified. */
export const inspectCommand: Command = {
  summary: 'show what attestations say (step, signer, inputs, outputs)',
  help: HELP,
  run,
};
