import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';

import { UsageError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import { escapeForTerminal } from '../report/escape.js';
import { AttestationStore, MAX_ATTESTATION_BYTES } from '../store/store.js';
import {
  inspectAttestation,
  loadTrustedRoot,
  type Inspection,
  type TrustedRootHandle,
} from '../verify/index.js';
import { publicGoodRoot } from '../verify/public-good.js';
import { loadPublicKey, type VerificationKey } from '../verify/public-key.js';
import {
  EXIT,
  parseCommandArgs,
  readInput,
  readJson,
  type CliIO,
  type Command,
} from './io.js';
import { readStdin, STDIN } from './stdin.js';
import { unloggedHint } from './unlogged-hint.js';

const HELP = `usage: mprov inspect PATH [--trusted-root FILE] [--key PEM ...]
                     [--allow-unlogged] [--json]

Shows what attestations say: step, signer, time, inputs, outputs and
parameters. PATH is one bundle file (.sigstore.json), a store folder, a
model folder (its .mprov store), or - for one bundle read from stdin. With
--trusted-root or --key each attestation is verified first and shown from
the verified bytes; without, its content is decoded and marked UNVERIFIED:
do not trust it.

options:
  --trusted-root FILE  verify each attestation against this trusted root
                       (with --key and no file: the embedded public-good
                       root, which keyless attestations are then checked
                       against too; verified means signed as shown, not
                       signed by a key given)
  --key PEM            a public key that may have signed key-signed
                       attestations (repeatable; ECDSA P-256/P-384, Ed25519)
  --allow-unlogged     with --key: accept key-signed attestations with no
                       log entry or signed time
  --json               print the inspections as JSON
  -h, --help           show this help

exit codes: 0 shown (and, with --trusted-root, all verified), 1 some did
not verify or could not be read, 2 usage or input error (nothing in PATH
reads as an attestation)

examples:
  mprov inspect demo-out/model --trusted-root demo-out/trusted_root.json
  cat step.sigstore.json | mprov inspect - --json
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      'trusted-root': { type: 'string' },
      key: { type: 'string', multiple: true, default: [] },
      'allow-unlogged': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) {
    throw new UsageError('USAGE_INVALID', 'expected exactly one PATH');
  }
  if (values['allow-unlogged'] && values.key.length === 0) {
    throw new UsageError('USAGE_INVALID', '--allow-unlogged needs --key');
  }
  const keys = {
    keys: await Promise.all(values.key.map(readKey)),
    allowUnlogged: values['allow-unlogged'],
  };
  const root = await rootOf(values['trusted-root'], keys.keys.length > 0);
  const entries = await attestationsAt(path);
  const shown = await Promise.all(entries.map((e) => show(e, root, keys)));

  const [first] = shown;
  if (first && shown.every((s) => s.step === undefined)) {
    // Nothing could be read as an attestation: the input was not one.
    const why = first.problem ?? 'unreadable';
    throw new UsageError('USAGE_INPUT_UNREADABLE', `${path}: ${why}`);
  }
  io.stdout(
    values.json ? JSON.stringify(shown, null, 2) + '\n' : render(shown, root),
  );
  const unread = shown.some((s) => s.step === undefined);
  return unread || shown.some((s) => s.verified === false)
    ? EXIT.failed
    : EXIT.ok;
}

/** One attestation as shown, with a hint when a flag would help. */
async function show(
  entry: { id: string; bytes: Uint8Array },
  root: TrustedRootHandle | undefined,
  keys: { keys: VerificationKey[]; allowUnlogged: boolean },
): Promise<Shown> {
  const inspection = await inspectAttestation(entry.bytes, root, keys);
  const hint = unloggedHint(inspection.code, entry.bytes, {
    keysGiven: keys.keys.length > 0,
    allowUnlogged: keys.allowUnlogged,
  });
  return { id: entry.id, ...inspection, ...(hint && { hint }) };
}

async function readKey(path: string): Promise<VerificationKey> {
  return loadPublicKey(await readInput(path, 'public key'));
}

/** The root to verify against; none means showing content unverified. */
async function rootOf(
  path: string | undefined,
  withKeys: boolean,
): Promise<TrustedRootHandle | undefined> {
  if (path !== undefined) {
    return loadTrustedRoot(await readJson(path, 'trusted root'));
  }
  // Keys given: verify, with the embedded root for any log entries.
  return withKeys ? publicGoodRoot() : undefined;
}

/** One attestation as inspected: its id is the sha256 of its bytes. */
function single(bytes: Buffer) {
  return [{ id: createHash('sha256').update(bytes).digest('hex'), bytes }];
}

async function attestationsAt(path: string) {
  if (path === STDIN) {
    return single(await readStdin('bundle', MAX_ATTESTATION_BYTES));
  }
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new UsageError('USAGE_INPUT_UNREADABLE', `cannot read ${path}`);
  }
  if (info.isFile()) return single(await readBundleFile(path));
  const asStore = await new AttestationStore(path).list();
  return asStore.length > 0 ? asStore : AttestationStore.forModel(path).list();
}

/**
 * One bundle file, read no further than a bundle may be: a huge file is a
 * usage error, not a read of gigabytes (nor Node's 2 GiB RangeError).
 */
async function readBundleFile(path: string): Promise<Buffer> {
  const read = await readFileBounded(path, MAX_ATTESTATION_BYTES, {
    followLink: true,
  });
  if (read.ok) return read.bytes;
  if (read.problem === 'too-large') {
    throw new UsageError(
      'USAGE_INPUT_UNREADABLE',
      `${path}: expected at most ${MAX_ATTESTATION_BYTES} bytes, found ` +
        `${read.size} or more`,
    );
  }
  const cause = 'cause' in read ? { cause: read.cause } : {};
  throw new UsageError('USAGE_INPUT_UNREADABLE', `cannot read ${path}`, cause);
}

/** A verified key-signed step may have no signed time; say so. */
function timeOf(s: Inspection): string {
  if (s.signedAt !== undefined) return s.signedAt.toISOString();
  const keySigned = s.verified === true && s.signer?.keyId !== undefined;
  return keySigned ? 'no signed time (unlogged key signature)' : '?';
}

/** Large steps name a manifest of their files instead of listing them. */
function manifestLine(dir: 'in' | 'out', m: { sha256: string; role?: string }) {
  const role = m.role ? `${m.role}: ` : '';
  return `  ${dir.padEnd(9)}${role}manifest sha256:${m.sha256} (files in .mprov/manifests)`;
}

/** One attestation as shown: its id, what it says, a hint if any. */
type Shown = Inspection & { id: string; hint?: string };

function render(shown: Shown[], root: TrustedRootHandle | undefined): string {
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

function renderOne(s: Shown): string[] {
  const status =
    s.verified === true
      ? 'verified'
      : s.verified === false
        ? 'FAILED'
        : 'UNVERIFIED';
  const lines = [
    `${s.id.slice(0, 12)}  ${status}${s.problem ? `: ${s.problem}` : ''}`,
    ...(s.hint ? [`  hint     ${s.hint}`] : []),
  ];
  if (s.step) {
    const signer =
      s.signer?.identity ??
      (s.signer?.keyId === undefined ? '?' : `key ${s.signer.keyId}`);
    const issuer = s.signer?.issuer ? ` (issuer ${s.signer.issuer})` : '';
    lines.push(
      `  step     ${s.step.kind}  [${s.step.buildType}]`,
      `  signer   ${signer}${issuer}`,
      `  time     ${timeOf(s)}`,
      `  builder  ${s.step.builderId}`,
      `  params   ${JSON.stringify(s.step.parameters)}`,
      ...s.step.inputs.map(
        (i) =>
          `  in       ${i.role ? `${i.role}: ` : ''}${i.name} sha256:${i.sha256}`,
      ),
      ...(s.step.inputManifests ?? []).map((m) => manifestLine('in', m)),
      ...s.step.outputs.map((o) => `  out      ${o.name} sha256:${o.sha256}`),
      ...(s.step.outputsManifest
        ? [manifestLine('out', s.step.outputsManifest)]
        : []),
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
