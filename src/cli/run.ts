import { createRequire } from 'node:module';

import { ProvenanceError, SigningError } from '../errors.js';
import { sharedPool } from '../digest/pool.js';
import { EXIT, describeError, type CliIO, type Command } from './io.js';

/**
 * Each command's module, loaded only when that command runs: the signing
 * and verification libraries take a quarter of a second to load, which
 * `mprov digest` does not need.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  attest: async () => (await import('./attest.js')).attestCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  diff: async () => (await import('./diff.js')).diffCommand,
  graph: async () => (await import('./graph.js')).graphCommand,
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  digest: async () => (await import('./digest.js')).digestCommand,
  'export-chain': async () =>
    (await import('./export-chain.js')).exportChainCommand,
  'verify-bundle': async () =>
    (await import('./verify-bundle.js')).verifyBundleCommand,
  'verify-model': async () =>
    (await import('./verify-model.js')).verifyModelCommand,
  'sign-model': async () => (await import('./sign-model.js')).signModelCommand,
  trust: async () => (await import('./trust.js')).trustCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  'stand-in': async () => (await import('./stand-in.js')).standInCommand,
};

/** Commands that hash a model, so the hashing threads boot during loading. */
const HASHING = new Set([
  'attest',
  'verify',
  'diff',
  'graph',
  'digest',
  'export-chain',
  'verify-model',
  'sign-model',
  'demo',
]);

async function mainHelp(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = await Promise.all(
    Object.entries(COMMANDS).map(
      async ([name, load]) =>
        `  ${name.padEnd(width)}  ${(await load()).summary}`,
    ),
  );
  const list = lines.join('\n');
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
    const command = topic === undefined ? undefined : await lookup(topic);
    const help = command?.help ?? (await mainHelp());
    // No command at all is a usage error: its help goes where errors go.
    if (name === undefined) io.stderr(help);
    else io.stdout(help);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`mprov ${version()}\n`);
    return EXIT.ok;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  // Threads boot in tens of milliseconds, as long as loading the command.
  if (HASHING.has(name) && !wantsHelp) sharedPool().start();
  const command = await lookup(name);
  if (command === undefined) {
    io.stderr(
      `mprov: error USAGE_INVALID: unknown command "${name}" ` +
        `(see mprov --help)\n`,
    );
    return EXIT.usage;
  }
  if (wantsHelp) {
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

async function lookup(name: string): Promise<Command | undefined> {
  return Object.hasOwn(COMMANDS, name) ? await COMMANDS[name]?.() : undefined;
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
