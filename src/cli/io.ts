import { parseArgs, type ParseArgsConfig } from 'node:util';

import { ProvenanceError, UsageError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import { escapeForTerminal } from '../report/escape.js';

/** Where a command writes: the terminal in `mprov`, a buffer in tests. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes: 0 holds, 1 verification failed, 2 usage or input error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The most a key, token or trusted root named on the command line may
 * hold: a trusted root is tens of kilobytes.
 */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a file named on the command line, as a usage error if it cannot.
 * Links and pipes are read (`--key <(...)`), never past the bound, so
 * `/dev/zero` or a huge file is refused rather than read without end.
 */
async function readInputBytes(path: string, what?: string): Promise<Buffer> {
  const read = await readFileBounded(path, MAX_INPUT_BYTES, {
    followLink: true,
    allowSpecial: true,
  });
  if (read.ok) return read.bytes;
  const why =
    read.problem === 'too-large'
      ? `: expected at most ${MAX_INPUT_BYTES} bytes, found ${read.size} or more`
      : '';
  throw new UsageError(
    'USAGE_INPUT_UNREADABLE',
    `cannot read ${what === undefined ? '' : `${what} `}${path}${why}`,
    'cause' in read ? { cause: read.cause } : {},
  );
}

/** The text of a file named on the command line; see readInputBytes. */
export async function readInput(path: string, what: string): Promise<string> {
  return (await readInputBytes(path, what)).toString('utf8');
}

/** Parses a JSON file named on the command line. */
export async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readInput(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UsageError('USAGE_INPUT_UNREADABLE', `${what} is not JSON`, {
      cause,
    });
  }
}

/** One line for stderr: the code and the message, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof ProvenanceError) {
    return `mprov: error ${error.code}: ${escapeForTerminal(error.message)}\n`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `mprov: error INTERNAL: ${escapeForTerminal(message)}\n`;
}

/** A command: its help text and what it does with its arguments. */
export interface Command {
  summary: string;
  help: string;
  run: (args: string[], io: CliIO) => Promise<number>;
}

/** `parseArgs` (strict by default) with its errors turned into usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (cause) {
    throw new UsageError('USAGE_INVALID', argumentProblem(cause), { cause });
  }
}

/** Node's parseArgs messages, shortened to what a user needs to read. */
function argumentProblem(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : 'bad arguments';
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]} (see --help)`;
  return message.split('. ')[0] ?? message;
}

/** The value of a required option, or a usage error naming it. */
export function requiredOption(
  value: string | undefined,
  flag: string,
  command: string,
): string {
  if (value === undefined || value === '') {
    throw new UsageError(
      'USAGE_INVALID',
      `${flag} is required (see mprov ${command} --help)`,
    );
  }
  return value;
}

/** A key or certificate parsed from a file, or a usage error naming it. */
export function parsePem<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    throw new UsageError(
      'USAGE_INPUT_UNREADABLE',
      `${path}: not a PEM key or certificate`,
      { cause },
    );
  }
}

/** The bytes of a PEM file named on the command line. */
export function readPem(path: string): Promise<Buffer> {
  return readInputBytes(path);
}
