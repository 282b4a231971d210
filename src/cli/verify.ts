import type { ChainResult } from '../chain/result.js';
import { UsageError } from '../errors.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderMermaid } from '../report/mermaid.js';
import { renderText } from '../report/text.js';
import { CHAIN_OPTIONS_HELP, verifyFromArgs } from './chain-args.js';
import { EXIT, type CliIO, type Command } from './io.js';

const HELP = `usage: mprov verify MODEL --policy FILE [--trusted-root FILE] [options]

Verifies the chain of attestations behind a model bundle: every signature,
every signer against the policy, every link by digest back to the trusted
roots, and the files on disk against the last step's outputs. A policy may
name signers by OIDC identity or by public key (key: FILE, relative to the
policy file); key-signed steps need a log entry unless the policy sets
allowUnlogged: true.

options:
${CHAIN_OPTIONS_HELP}
  --format F           text (default), json, markdown or mermaid
  --json               the same as --format json
  -h, --help           show this help

exit codes: 0 the chain holds, 1 verification failed, 2 usage or input error

examples:
  mprov verify demo-out/model --policy demo-out/policy.yaml \\
    --trusted-root demo-out/trusted_root.json
  # steps signed with mprov attest --key, logged in the site's own Rekor
  mprov verify release --policy policy.yaml \\
    --trusted-root site-trusted_root.json
  # fully offline key signatures: the policy sets allowUnlogged: true
  mprov verify release --policy offline-policy.yaml
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { result, values } = await verifyFromArgs(args, 'verify', {
    json: { type: 'boolean', default: false },
    format: { type: 'string' },
  });
  const render = renderer(values.json ? 'json' : (values.format ?? 'text'));
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
