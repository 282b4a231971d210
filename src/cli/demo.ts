import type { ChainResult } from '../chain/result.js';
import { runDemo, type DemoEvent } from '../demo/run-demo.js';
import { renderText } from '../report/text.js';
import { EXIT, parseCommandArgs, type CliIO, type Command } from './io.js';

const HELP = `usage: mprov demo [--out DIR]

Runs the end-to-end demo offline: a real model (the TF.js face detector of
@vladmandic/face-api) goes through export, quantize, adapter-attach and
repackage, each step signed keyless by its own identity on a local Sigstore
stand-in (127.0.0.1 only). Then the chain is verified, and two attacks are
shown being caught: one byte of the final weights changed, and the adapter
replaced by one that an identity the policy does not allow attached.

options:
  --out DIR    where to write the demo (default: demo-out); it must be
               missing, empty, or an earlier demo output (then emptied)
  -h, --help   show this help

DIR afterwards holds model/ (the bundle and its .mprov store), policy.yaml
and trusted_root.json, so that you can run by hand:
  mprov verify DIR/model --policy DIR/policy.yaml --trusted-root DIR/trusted_root.json

exit codes: 0 the demo behaved as described, 1 it did not, 2 usage error

example:
  mprov demo --out demo-out
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: { out: { type: 'string', default: 'demo-out' } },
  });
  const outDir = values.out;
  io.stdout(`Packaging a real model in four signed steps (into ${outDir})\n\n`);
  const outcome = await runDemo(outDir, (event) => io.stdout(show(event)));

  const checks = [
    ['the released model verifies', outcome.genuine.verified],
    [
      'a changed byte is caught and located',
      caught(outcome.tamperedWeights, 'FILE_MODIFIED', 'model.safetensors'),
    ],
    [
      'a rogue adapter is caught and named',
      caught(outcome.rogueAdapter, 'SIGNER_NOT_ALLOWED', 'adapter-attach'),
    ],
  ] as const;
  io.stdout('\nsummary:\n');
  for (const [what, ok] of checks)
    io.stdout(`  ${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  io.stdout(
    `\nTry it yourself:\n  npx mprov verify ${outcome.modelDir} --policy ${outcome.policyPath} --trusted-root ${outcome.trustedRootPath}\n`,
  );
  return checks.every(([, ok]) => ok) ? EXIT.ok : EXIT.failed;
}

function show(event: DemoEvent): string {
  if (event.type === 'stage') return `\n== ${event.title}\n`;
  if (event.type === 'step') {
    return `  signed ${event.kind.padEnd(15)} as ${event.identity}  [${event.id.slice(0, 12)}]\n`;
  }
  const rule = '-'.repeat(72);
  return `\n${rule}\nverify: ${event.name}\n${rule}\n${renderText(event.result)}`;
}

function caught(result: ChainResult, code: string, where: string): boolean {
  return (
    !result.verified &&
    result.findings.some(
      (f) => f.code === code && (f.file === where || f.step === where),
    )
  );
}

/** `mprov demo`: the end-to-end demo on the offline stand-in. */
export const demoCommand: Command = {
  summary: 'run the end-to-end demo offline (four signed steps, two attacks)',
  help: HELP,
  run,
};
