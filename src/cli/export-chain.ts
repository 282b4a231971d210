import { UsageError } from '../errors.js';
import { exportChain } from '../export/export-chain.js';
import type { ExportIndex } from '../export/collect.js';
import { escapeForTerminal } from '../report/escape.js';
import { AttestationStore } from '../store/store.js';
import {
  EXIT,
  parseCommandArgs,
  requiredOption,
  type CliIO,
  type Command,
} from './io.js';

const HELP = `usage: mprov export-chain MODEL --out DIR [--policy FILE]
       [--trusted-root FILE] [--store DIR] [--name NAME] [--force]

Writes into DIR what model-provenance/core needs to verify MODEL's chain
in a browser, a worker or an edge function (see docs/browser.md):
  provenance.json       the model's name, the SHA-256 of each of its files
                        (as mprov verify hashes them) and the files below
  bundles/*.sigstore.json, manifests/*.json
                        the store's attestations and manifests, unchanged
  policy.json           with --policy: checked, key: files inlined as
                        publicKey: PEM
  trusted_root.json     with --trusted-root: checked, unchanged

Everything is checked before DIR is written, and DIR appears whole or not
at all. It does not verify the chain: run mprov verify first.

options:
  --out DIR            the folder to write (must be absent or empty, and
                       outside MODEL)
  --policy FILE        the chain policy (YAML or JSON)
  --trusted-root FILE  the Sigstore trusted_root.json the page verifies
                       against
  --store DIR          attestation store (default: MODEL/.mprov, or the
                       .mprov beside MODEL when it is a single file)
  --name NAME          the model's name in provenance.json (default: the
                       last part of MODEL)
  --force              replace DIR whole when it holds an earlier export
                       and nothing else (never a folder of yours)
  -h, --help           show this help

exit codes: 0 written, 2 usage or input error (nothing written)

example:
  mprov verify release --policy policy.yaml --trusted-root trusted_root.json
  mprov export-chain release --out site/release --policy policy.yaml \\
    --trusted-root trusted_root.json
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      policy: { type: 'string' },
      'trusted-root': { type: 'string' },
      store: { type: 'string' },
      name: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const [modelPath, ...extra] = positionals;
  if (modelPath === undefined || extra.length > 0) {
    throw new UsageError(
      'USAGE_INVALID',
      'expected exactly one MODEL path (see mprov export-chain --help)',
    );
  }
  const outDir = requiredOption(values.out, '--out DIR', 'export-chain');
  const { index, written } = await exportChain({
    modelPath,
    outDir,
    force: values.force,
    ...(values.policy !== undefined && { policyPath: values.policy }),
    ...(values['trusted-root'] !== undefined && {
      trustedRootPath: values['trusted-root'],
    }),
    ...(values.store !== undefined && {
      store: new AttestationStore(values.store),
    }),
    ...(values.name !== undefined && { modelName: values.name }),
  });
  io.stdout(summary(index, outDir, written));
  return EXIT.ok;
}

/** What was exported: counts, then the files at the folder's top. */
function summary(index: ExportIndex, outDir: string, written: string[]) {
  const count = (n: number, what: string) =>
    `${n} ${what}${n === 1 ? '' : 's'}`;
  const line =
    `exported ${index.model} to ${outDir}: ` +
    `${count(Object.keys(index.files).length, 'file')}, ` +
    `${count(index.bundles.length, 'bundle')}, ` +
    `${count(index.manifests.length, 'manifest')}`;
  const top = written.filter((f) => !f.includes('/'));
  return `${escapeForTerminal(line)}\n  ${top.join(', ')}\n`;
}

/** `mprov export-chain`: write a chain's inputs for model-provenance/core. */
export const exportChainCommand: Command = {
  summary: 'write what model-provenance/core needs to verify a model',
  help: HELP,
  run,
};
