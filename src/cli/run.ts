import { createRequire } from 'node:module';

import { ProvenanceError, SigningError } from '../errors.js';
import { attestCommand } from './attest.js';
import { demoCommand } from './demo.js';
import { diffCommand } from './diff.js';
import { graphCommand } from './graph.js';
import { inspectCommand } from './inspect.js';
import { signModelCommand } from './sign-model.js';
import { verifyModelCommand } from './verify-model.js';
import { EXIT, describeError, type CliIO, type Command } from './io.js';
import { standInCommand } from './stand-in.js';
import { verifyCommand } from './verify.js';
import { verifyBundleCommand } from './verify-bundle.js';

const COMMANDS: Record<string, Command> = {
  attest: attestCommand,
  verify: verifyCommand,
  diff: diffCommand,
  graph: graphCommand,
  inspect: inspectCommand,
  digest: (await import('./digest.js')).digestCommand,
  'verify-bundle': verifyBundleCommand,
  'verify-model': verifyModelCommand,
  'sign-model': signModelCommand,
  demo: demoCommand,
  'stand-in': standInCommand,
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return `usage: mprov <command> [options]

Signed provenance for ML model packaging steps.

commands:
${list}

Run "mprov <command> --help" for a command's options, "mprov --version"
for the version.
Exit codes: 0 holds, 1 verification or signing failed, 2 usage or input
error.
`;
}

/**
 * Runs the `mprov` command line and returns its exit code. Errors are
 * written to stderr as one line with their code.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || ['--help', '-h', 'help'].includes(name)) {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : lookup(topic);
    io.stdout(command?.help ?? mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`mprov ${version()}\n`);
    return EXIT.ok;
  }
  const command = lookup(name);
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
    return exitCodeOf(error);
  }
}

function lookup(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/**
 * Signing that fails is a failure of the step (1); any other typed error
 * is bad usage or unreadable input (2); anything untyped is a failure (1).
 */
function exitCodeOf(error: unknown): number {
  if (error instanceof SigningError) return EXIT.failed;
  return error instanceof ProvenanceError ? EXIT.usage : EXIT.failed;
}

function version(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as { version: string };
  return pkg.version;
}
