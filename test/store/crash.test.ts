/**
 * The store under real processes: a writer killed with SIGKILL mid-write
 * leaves only complete entries, and two writers at once lose nothing.
 * Children run on this worker's own Node (`process.execPath`, the
 * repository's Node 22) and load the TypeScript sources directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AttestationStore, STALE_TEMP_MS } from '../../src/store/store.js';
import { fakeAttestation, isCompleteFake } from './child/payload.js';

const CHILD = fileURLToPath(new URL('./child/', import.meta.url));
const SUFFIX = '.sigstore.json';
const KILLS = 24;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-store-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A writer child; `lines` collects what it printed, line by line. */
function writer(args: string[]): { child: ChildProcess; lines: string[] } {
  const child = spawn(
    process.execPath,
    ['--import', join(CHILD, 'register.ts'), join(CHILD, 'writer.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  return { child, lines };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      done(child.exitCode);
    } else child.once('exit', (code) => done(code));
  });
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('the child did not get that far');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Reads the store folder directly, not through the store: every entry
 * file must hash to the id in its name and be a complete attestation.
 */
async function auditFolder(storeDir: string) {
  const names = await readdir(join(storeDir, 'attestations')).catch(
    () => [] as string[],
  );
  const entries = names.filter((n) => n.endsWith(SUFFIX));
  const bad: string[] = [];
  for (const name of entries) {
    const bytes = await readFile(join(storeDir, 'attestations', name));
    const named = name.slice(0, -SUFFIX.length);
    if (sha256(bytes) !== named || !isCompleteFake(bytes)) bad.push(name);
  }
  const temps = names.filter((n) => !n.endsWith(SUFFIX));
  const ids = entries.map((n) => n.slice(0, -SUFFIX.length));
  return { ids, bad, temps };
}

describe('AttestationStore with real processes', () => {
  it(`keeps only complete entries when a writer is killed (${KILLS} SIGKILLs)`, async () => {
    const storeDir = join(dir, '.mprov');
    const acknowledged = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      const { child, lines } = writer(['loop', storeDir, `kill-${k}`]);
      // A random moment near a write: after it starts its 1st to 3rd add,
      // 0 to 20 ms in (in the write, the flush, the rename, or just after).
      const nth = 1 + Math.floor(Math.random() * 3);
      await until(() => lines.filter((l) => l === 'writing').length >= nth);
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      child.kill('SIGKILL');
      await exited(child);
      for (const line of lines) {
        if (line.startsWith('added ')) acknowledged.add(line.slice(6));
      }
    }

    const { ids, bad, temps } = await auditFolder(storeDir);
    expect(bad).toEqual([]);
    // Every add that returned before the kill survived it.
    expect(ids).toEqual(expect.arrayContaining([...acknowledged]));
    // The kills did land mid-write: their temporary files are left over...
    expect(temps.length).toBeGreaterThan(0);
    expect(temps.every((n) => n.startsWith('.') && n.endsWith('.tmp'))).toBe(
      true,
    );
    // ...and the store reads none of them as an entry.
    const listed = await new AttestationStore(storeDir).list();
    expect(listed.map((e) => e.id)).toEqual([...ids].sort());
    expect(listed.every((e) => sha256(e.bytes) === e.id)).toBe(true);

    // Once the killed writers' files are old enough, the next add removes
    // every one of them: the sweep knows the names the writer really made.
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    const tempDir = join(storeDir, 'attestations');
    for (const name of temps) await utimes(join(tempDir, name), old, old);
    await new AttestationStore(storeDir).add(fakeAttestation('next', 0, 100));
    expect((await auditFolder(storeDir)).temps).toEqual([]);
  });

  it('loses nothing when two processes add entries at once', async () => {
    const storeDir = join(dir, '.mprov');
    const n = 60;
    const a = writer(['batch', storeDir, 'writer-a', String(n)]);
    const b = writer(['batch', storeDir, 'writer-b', String(n)]);

    // A reader lists the store while both write: never a partial entry.
    const seenBad: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        seenBad.push(...(await auditFolder(storeDir)).bad);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const codes = await Promise.all([exited(a.child), exited(b.child)]);
    reading = false;
    await reader;
    expect(codes).toEqual([0, 0]);
    expect(a.lines.at(-1)).toBe('done');
    expect(b.lines.at(-1)).toBe('done');

    const expected = new Set<string>();
    for (let i = 0; i < n; i++) {
      for (const tag of ['writer-a', 'writer-b']) {
        const t = i % 5 === 0 ? 'shared' : tag;
        expected.add(sha256(fakeAttestation(t, i, 40_000)));
      }
    }
    const { ids, bad, temps } = await auditFolder(storeDir);
    expect(seenBad).toEqual([]);
    expect(bad).toEqual([]);
    expect(temps).toEqual([]);
    expect(new Set(ids)).toEqual(expected);
    const listed = await new AttestationStore(storeDir).list();
    expect(listed).toHaveLength(expected.size);
  });

  it('never reads a leftover temporary file as an entry', async () => {
    const store = new AttestationStore(join(dir, '.mprov'));
    const id = await store.add(fakeAttestation('kept', 0, 100));
    const cut = fakeAttestation('cut', 0, 100).subarray(0, 50);
    const temp = `.${sha256(cut)}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(join(store.dir, temp), cut);
    expect((await store.list()).map((e) => e.id)).toEqual([id]);
  });
});
