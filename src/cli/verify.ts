import { verifyChain } from '../chain/verify-chain.js';
import { UsageError } from '../errors.js';
import { parsePolicy } from '../policy/policy.js';
import type { ChainResult } from '../chain/result.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderMermaid } from '../report/mermaid.js';
import { renderText } from '../report/text.js';
import { AttestationStore } from '../store/store.js';
import { loadTrustedRoot } from '../verify/index.js';
import {
  EXIT,
  parseCommandArgs,
  readInput,
  readJson,
  requiredOption,
  type CliIO,
  type Command,
} from './io.js';

const HELP = `usage: mprov verify MODEL --policy FILE --trusted-root FILE [options]

Verifies the chain of attestations behind a model bundle: every signature,
every signer against the policy, every link by digest back to the trusted
roots, and the files on disk against the last step's outputs.

options:
  --policy FILE        the chain policy (YAML or JSON)
  --trusted-root FILE  Sigstore trusted_root.json to check signatures against
  --store DIR          attestation store (default: MODEL/.mprov, or the
                       .mprov beside MODEL when it is a single file)
  --format F           text (default), json, markdown or mermaid
  --json               the same as --format json
  -h, --help           show this help

exit codes: 0 the chain holds, 1 verification failed, 2 usage or input error

example:
  mprov verify demo-out/model --policy demo-out/policy.yaml \\
    --trusted-root demo-out/trusted_root.json
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      'trusted-root': { type: 'string' },
      store: { type: 'string' },
      json: { type: 'boolean', default: false },
      format: { type: 'string' },
    },
  });
  const render = renderer(values.json ? 'json' : (values.format ?? 'text'));
  const [modelPath, ...extra] = positionals;
  if (modelPath === undefined || extra.length > 0) {
    throw new UsageError('USAGE_INVALID', 'expected exactly one MODEL path');
  }
  const policyPath = requiredOption(values.policy, '--policy FILE', 'verify');
  const rootPath = requiredOption(
    values['trusted-root'],
    '--trusted-root FILE',
    'verify',
  );
  const policy = parsePolicy(await readInput(policyPath, 'policy'));
  const rootJson = await readJson(rootPath, 'trusted root');
  const result = await verifyChain({
    modelPath,
    policy,
    trustedRoot: loadTrustedRoot(rootJson),
    ...(values.store ? { store: new AttestationStore(values.store) } : {}),
  });

  io.stdout(render(result));
  return result.verified ? EXIT.ok : EXIT.failed;
}

const RENDERERS: Record<string, (result: ChainResult) => string> = {
  text: renderText,
  json: renderJson,
  markdown: renderMarkdown,
  mermaid: renderMermaid,
};

function renderer(format: string): (result: ChainResult) => string {
  const render = Object.hasOwn(RENDERERS, format)
    ? RENDERERS[format]
    : undefined;
  if (render === undefined) {
    const known = Object.keys(RENDERERS).join(', ');
    throw new UsageError('USAGE_INVALID', `--format: expected one of ${known}`);
  }
  return render;
}

/** `mprov verify`: verify the chain behind a model bundle. */
export const verifyCommand: Command = {
  summary: 'verify the chain of attestations behind a model bundle',
  help: HELP,
  run,
};
