import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { combineDigests, type Manifest } from '../digest/index.js';
import { listModel } from '../digest/walk.js';
import { DigestError, ProvenanceError } from '../errors.js';
import { finding, type Finding } from './findings.js';

/** What a file was when it was about to be hashed. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

/** The model's files by path, as listed and stat'ed before hashing. */
export type ModelStamps = Map<string, FileStamp>;

/** Files stat'ed at once: enough to keep the disk busy, not the fds. */
const STAT_BATCH = 64;

/**
 * Lists the model as hashing does (same ignores, links refused) and stats
 * each file: size, modification and change times, inode and device.
 *
 * @throws DigestError as `digestModel` does for links, special files and
 *   unsafe names; `DIGEST_READ_FAILED` when a file cannot be stat'ed.
 */
export async function stampModel(modelPath: string): Promise<ModelStamps> {
  const { files } = await listModel(modelPath, [], false);
  const stamps: ModelStamps = new Map();
  for (let i = 0; i < files.length; i += STAT_BATCH) {
    const batch = files.slice(i, i + STAT_BATCH);
    const stats = await Promise.all(batch.map((f) => statFile(f)));
    batch.forEach((f, j) => stamps.set(f.path, stampOf(stats[j])));
  }
  return stamps;
}

async function statFile(file: { path: string; open: string }) {
  try {
    return await lstat(file.open);
  } catch (cause) {
    throw new DigestError('DIGEST_READ_FAILED', `cannot read ${file.path}`, {
      cause,
    });
  }
}

function stampOf(s: Stats | undefined): FileStamp {
  return {
    size: s?.size ?? -1,
    mtimeMs: s?.mtimeMs ?? -1,
    ctimeMs: s?.ctimeMs ?? -1,
    ino: s?.ino ?? -1,
    dev: s?.dev ?? -1,
  };
}

/**
 * Why a model has no file to verify: `MODEL_EMPTY` when the folder holds
 * no file at all (folders only), `MODEL_ALL_FILES_IGNORED` when every file
 * is in an ignored path (`.mprov`, `.git`).
 */
export async function emptyModelFinding(modelPath: string): Promise<Finding> {
  let anyFile = false;
  try {
    const entries = await readdir(modelPath, {
      recursive: true,
      withFileTypes: true,
    });
    anyFile = entries.some((e) => !e.isDirectory());
  } catch {
    anyFile = false;
  }
  return anyFile
    ? finding(
        'MODEL_ALL_FILES_IGNORED',
        'every file of the model is in an ignored path (.mprov, .git): ' +
          'nothing to verify',
      )
    : finding('MODEL_EMPTY', 'the model holds no file: nothing to verify');
}

/** The manifest of no files: its root digest is SHA-256 of nothing. */
export function emptyManifest(): Manifest {
  return { entries: [], rootDigest: combineDigests([]) };
}

/**
 * After the verdict: lists and stats the model again and reports every
 * file that is not what it was before hashing (size, times, inode or
 * device changed; added; removed), or was hashed without being listed.
 * A model that cannot be listed any more is reported too, not thrown.
 *
 * @param modelPath - The model folder or file.
 * @param before - Stamps taken just before hashing.
 * @param hashed - The manifest that was verified.
 */
export async function recheckModel(
  modelPath: string,
  before: ModelStamps,
  hashed: Manifest,
): Promise<Finding[]> {
  let after: ModelStamps;
  try {
    after = await stampModel(modelPath);
  } catch (error) {
    const why =
      error instanceof ProvenanceError
        ? (error as ProvenanceError).code
        : 'unreadable';
    return [
      changed(modelPath, `the model cannot be listed again (${why})`, '.'),
    ];
  }
  const wasHashed = new Set(hashed.entries.map((e) => e.path));
  const paths = new Set([...before.keys(), ...after.keys(), ...wasHashed]);
  const findings: Finding[] = [];
  for (const path of [...paths].sort()) {
    const reason = difference(before.get(path), after.get(path));
    const why = reason ?? (wasHashed.has(path) ? undefined : 'was not hashed');
    if (why !== undefined) findings.push(changed(modelPath, why, path));
  }
  return findings;
}

function difference(
  was: FileStamp | undefined,
  now: FileStamp | undefined,
): string | undefined {
  if (was === undefined && now === undefined) return 'appeared while hashing';
  if (was === undefined) return 'appeared during verification';
  if (now === undefined) return 'disappeared during verification';
  const moved = (['size', 'mtimeMs', 'ctimeMs', 'ino', 'dev'] as const).filter(
    (k) => was[k] !== now[k],
  );
  return moved.length > 0 ? `changed (${moved.join(', ')})` : undefined;
}

function changed(modelPath: string, why: string, path: string): Finding {
  const name = path === '.' ? basename(join(modelPath)) : path;
  return finding(
    'FILE_CHANGED_DURING_VERIFICATION',
    `${name} ${why}: the verdict cannot cover it`,
    { file: name },
  );
}
