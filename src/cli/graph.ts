import { renderMermaid } from '../report/mermaid.js';
import { CHAIN_OPTIONS_HELP, verifyFromArgs } from './chain-args.js';
import { EXIT, type CliIO, type Command } from './io.js';

const HELP = `usage: mprov graph MODEL --policy FILE [--trusted-root FILE]

Prints the chain behind a model as a Mermaid flowchart: roots, steps and
links by digest, the deployed bundle last, failing steps and links in red.
Paste it into any Mermaid renderer (GitHub renders \`\`\`mermaid blocks).

options:
${CHAIN_OPTIONS_HELP}
  -h, --help           show this help

exit codes: as mprov verify (0 holds, 1 failed, 2 usage or input error)

example:
  mprov graph demo-out/model --policy demo-out/policy.yaml \\
    --trusted-root demo-out/trusted_root.json > chain.mmd
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { result } = await verifyFromArgs(args, 'graph', {});
  io.stdout(renderMermaid(result));
  return result.verified ? EXIT.ok : EXIT.failed;
}

/** `mprov graph`: the chain as a Mermaid flowchart. */
export const graphCommand: Command = {
  summary: 'print the chain as a Mermaid graph, failing links in red',
  help: HELP,
  run,
};
