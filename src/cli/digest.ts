import { UsageError } from '../errors.js';
import { hashAlgorithm } from '../digest/algorithm.js';
import {
  DEFAULT_SHARD_SIZE,
  serializeModel,
  type SerializedModel,
  type SerializeOptions,
} from '../digest/index.js';
import { escapeForTerminal } from '../report/escape.js';
import { EXIT, parseCommandArgs, type CliIO, type Command } from './io.js';

const HELP = `usage: mprov digest PATH [options]

Hashes a model folder (or a single file) as the OpenSSF Model Signing format
does, and prints its manifest and root digest. Shows progress on a terminal.

options:
  --serialization M   files (default): a digest per file; shards: per shard
  --shard-size N      bytes per shard (default ${DEFAULT_SHARD_SIZE})
  --hash H            sha256 (default) or blake2b
  --ignore P          skip a path or pattern (*, ?, **); repeat for more;
                      .mprov and .git are always skipped
  --allow-symlinks    hash links to files inside the model as their target
  --json              print the manifest as JSON
  -h, --help          show this help

exit codes: 0 hashed, 2 usage error or unreadable model

example:
  mprov digest demo-out/model --serialization shards --json
`;

/** Redraws at most this often, so the bar costs nothing measurable. */
const REDRAW_MS = 100;

function parse(
  args: string[],
): { path: string; json: boolean } & SerializeOptions {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      serialization: { type: 'string', default: 'files' },
      'shard-size': { type: 'string' },
      hash: { type: 'string', default: 'sha256' },
      ignore: { type: 'string', multiple: true, default: [] },
      'allow-symlinks': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) {
    throw new UsageError('USAGE_INVALID', 'expected exactly one PATH');
  }
  const serialization = values.serialization;
  if (serialization !== 'files' && serialization !== 'shards') {
    throw new UsageError(
      'USAGE_INVALID',
      `expected --serialization files or shards, found ${serialization}`,
    );
  }
  return {
    path,
    json: values.json,
    serialization,
    hash: hashAlgorithm(values.hash),
    ignore: values.ignore,
    allowSymlinks: values['allow-symlinks'],
    ...shardSize(values['shard-size'], serialization),
  };
}

function shardSize(
  text: string | undefined,
  serialization: string,
): { shardSize?: number } {
  if (text === undefined) return {};
  if (serialization !== 'shards') {
    throw new UsageError(
      'USAGE_INVALID',
      '--shard-size needs --serialization shards',
    );
  }
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(
      'USAGE_INVALID',
      `expected --shard-size to be a positive whole number, found ${text}`,
    );
  }
  return { shardSize: Number(text) };
}

/** The manifest as JSON, with the OpenSSF Model Signing field names. */
export function manifestJson(model: SerializedModel): string {
  const s = model.serialization;
  const serialization = {
    method: s.method,
    hash_type: s.hashType,
    ...(s.shardSize === undefined ? {} : { shard_size: s.shardSize }),
    allow_symlinks: s.allowSymlinks,
    ignore_paths: s.ignorePaths,
  };
  const resources = model.resources.map((r) => ({
    name: r.name,
    algorithm: r.algorithm,
    digest: r.digest,
  }));
  const subject = {
    name: model.modelName,
    digest: { sha256: model.rootDigest },
  };
  return JSON.stringify({ subject, serialization, resources }, null, 2) + '\n';
}

/** The manifest as text: one `digest  name` line each, then the root. */
export function manifestText(model: SerializedModel): string {
  const s = model.serialization;
  const shards = s.shardSize === undefined ? '' : `, shard ${s.shardSize}`;
  const ignoring = s.ignorePaths.length
    ? `, ignoring ${s.ignorePaths.join(' ')}`
    : '';
  const lines = [
    `# ${s.method} serialization, ${s.hashType}${shards}${ignoring}`,
    ...model.resources.map((r) => `${r.digest}  ${r.name}`),
    `root sha256:${model.rootDigest}  ${model.modelName}`,
  ];
  return lines.map(escapeForTerminal).join('\n') + '\n';
}

/** A one-line bar on stderr, redrawn in place; `end` clears it. */
export function progressBar(write: (text: string) => void) {
  const started = Date.now();
  let last = 0;
  const draw = (done: number, total: number): void => {
    const now = Date.now();
    if (now - last < REDRAW_MS && done < total) return;
    last = now;
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * 30);
    const rate = done / 1e9 / Math.max((now - started) / 1000, 1e-3);
    write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ` +
        `${(share * 100).toFixed(0).padStart(3)}% ` +
        `${(done / 1e9).toFixed(2)}/${(total / 1e9).toFixed(2)} GB ` +
        `${rate.toFixed(2)} GB/s`,
    );
  };
  return { draw, end: () => write('\r\x1b[K') };
}

/**
 * Builds `mprov digest`. Progress is drawn on stderr only when `stderrIsTTY`
 * says it is a terminal.
 *
 * @param stderrIsTTY - Whether stderr is a terminal.
 * @returns The command.
 */
export function makeDigestCommand(stderrIsTTY: () => boolean): Command {
  const run = async (args: string[], io: CliIO): Promise<number> => {
    const { path, json, ...opts } = parse(args);
    const bar = stderrIsTTY() ? progressBar(io.stderr) : undefined;
    let model: SerializedModel;
    try {
      model = await serializeModel(path, { ...opts, onProgress: bar?.draw });
    } finally {
      bar?.end();
    }
    io.stdout(json ? manifestJson(model) : manifestText(model));
    return EXIT.ok;
  };
  return {
    summary: 'hash a model and print its manifest and root digest',
    help: HELP,
    run,
  };
}

/** `mprov digest`: hash a model and print its manifest and root digest. */
export const digestCommand: Command = makeDigestCommand(
  () => process.stderr.isTTY === true,
);
