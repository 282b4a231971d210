import { ProvenanceError } from '../errors.js';
import { attestCommand } from './attest.js';
import { demoCommand } from './demo.js';
import { EXIT, describeError, type CliIO, type Command } from './io.js';
import { standInCommand } from './stand-in.js';
import { verifyCommand } from './verify.js';
import { verifyBundleCommand } from './verify-bundle.js';

const COMMANDS: Record<string, Command> = {
  attest: attestCommand,
  verify: verifyCommand,
  'verify-bundle': verifyBundleCommand,
  demo: demoCommand,
  'stand-in': standInCommand,
};

function mainHelp(): string {
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
    .join('\n');
  return `usage: mprov <command> [options]

Signed provenance for ML model packaging steps.

commands:
${list}

Run "mprov <command> --help" for a command's options.
Exit codes: 0 holds, 1 verification failed, 2 usage or input error.
`;
}

/**
 * Runs the `mprov` command line and returns its exit code. Errors are
 * written to stderr as one line with their code.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`mprov: error USAGE_INVALID: unknown command "${name}"\n`);
    io.stderr(mainHelp());
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(describeError(error));
    return error instanceof ProvenanceError ? EXIT.usage : EXIT.failed;
  }
}
