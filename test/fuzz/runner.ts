/**
 * Runs mutations: writes each mutated model to a temporary folder,
 * verifies it with `verifyChain`, and tallies what the verifier said
 * against what the oracle requires.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import fc from 'fast-check';

import { verifyChain } from '../../src/chain/verify-chain.js';
import type { ChainResult } from '../../src/chain/result.js';
import { ProvenanceError } from '../../src/errors.js';
import { AttestationStore } from '../../src/store/store.js';
import type { Corpus } from './corpus.js';
import { applyMutation, type Mutant } from './apply.js';
import { mutation, type Mutation } from './mutations.js';
import { judge } from './oracle.js';

/** What one mutation came to. */
export type Outcome =
  | { kind: 'rejected'; code: string }
  | { kind: 'accepted'; reason: string }
  | { kind: 'wrong-accept'; label: string; reasons: string[]; detail: string }
  | { kind: 'crash'; label: string; error: string }
  | { kind: 'skipped'; why: string };

/** The figures of a run. */
export interface Tally {
  tried: number;
  /** Mutations the oracle says must be rejected. */
  mustReject: number;
  rejected: number;
  /** First error code (finding, or a typed error thrown) of rejections. */
  rejectedBy: Record<string, number>;
  accepted: number;
  acceptedBy: Record<string, number>;
  wrongAccepts: {
    mutation: Mutation;
    label: string;
    reasons: string[];
    /** Where the mutant differs: signatures differ between runs. */
    detail: string;
  }[];
  crashes: { mutation: Mutation; label: string; error: string }[];
  skipped: number;
  ms: number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bump = (r: Record<string, number>, k: string) => {
  r[k] = (r[k] ?? 0) + 1;
};

/** Writes the mutant; returns the model path and verify options. */
async function lay(m: Mutant, dir: string) {
  const onDisk = m.files !== undefined || m.links.length > 0;
  const model = onDisk ? join(dir, 'model') : m.chain.dir;
  const storeDir = onDisk ? join(model, '.mprov') : join(dir, '.mprov');
  const entries = join(storeDir, 'attestations');
  await mkdir(entries, { recursive: true });
  for (const e of m.entries) {
    const name = e.name ?? `${sha256(e.bytes)}.sigstore.json`;
    await writeFile(join(entries, name), e.bytes);
  }
  for (const t of m.temps) await writeFile(join(entries, t.name), t.bytes);
  for (const [rel, bytes] of m.files ?? []) {
    await mkdir(dirname(join(model, rel)), { recursive: true });
    await writeFile(join(model, rel), bytes);
  }
  for (const link of m.links) {
    const at = join(model, link.path);
    await mkdir(dirname(at), { recursive: true });
    if ('inside' in link.to) {
      await symlink(join(model, link.to.inside), at);
    } else {
      const copy = join(dir, 'outside', 'copy');
      await mkdir(dirname(copy), { recursive: true });
      await writeFile(copy, link.to.outside);
      await symlink(copy, at);
    }
  }
  // Unchanged files: reuse their digests and skip hashing the model.
  return onDisk
    ? { modelPath: model }
    : {
        modelPath: model,
        store: new AttestationStore(storeDir),
        manifest: m.chain.manifest,
      };
}

const firstError = (r: ChainResult): string =>
  r.findings.find((f) => f.severity === 'error')?.code ?? 'no error finding';

/** Applies, writes and verifies one mutation. */
export async function runOne(
  corpus: Corpus,
  m: Mutation,
  dir: string,
): Promise<{ outcome: Outcome; mustReject: boolean }> {
  const mutant = applyMutation(corpus, m);
  const judged = judge(mutant.chain, corpus.chains, {
    entries: mutant.entries.map((e) => e.bytes),
    files: mutant.files,
  });
  const reasons = [...judged.mustReject];
  if (mutant.requires !== undefined) reasons.push(mutant.requires);
  const outcome = await verifyMutant(corpus, mutant, reasons, dir);
  if (outcome.kind === 'accepted') {
    if (judged.loose) outcome.reason += ' (read leniently)';
    if (judged.reframed) outcome.reason += ' (unsigned DER fields)';
    if (unchanged(mutant)) outcome.reason = `no-op: ${outcome.reason}`;
  }
  return { outcome, mustReject: reasons.length > 0 };
}

/** The first change in an entry, with some context either side. */
function describeChange(m: Mutant): string {
  for (const [i, e] of m.entries.entries()) {
    const was = m.chain.entries[i];
    if (was === undefined || was.equals(e.bytes)) continue;
    let at = 0;
    while (at < e.bytes.length && e.bytes[at] === was[at]) at++;
    const around = (b: Buffer) =>
      JSON.stringify(b.subarray(Math.max(0, at - 80), at + 40).toString());
    return `entry ${i} at byte ${at}: ${around(was)} -> ${around(e.bytes)}`;
  }
  return 'files or store layout';
}

/** Whether the mutation left the store and files as they were. */
function unchanged(m: Mutant): boolean {
  const same = (a: Buffer[], b: Buffer[]) =>
    a.length === b.length && a.every((x, i) => x.equals(b[i]));
  const sorted = (l: Buffer[]) => [...l].sort((x, y) => Buffer.compare(x, y));
  return (
    m.files === undefined &&
    m.links.length === 0 &&
    m.temps.length === 0 &&
    m.entries.every((e) => e.name === undefined) &&
    same(sorted(m.entries.map((e) => e.bytes)), sorted(m.chain.entries))
  );
}

async function verifyMutant(
  corpus: Corpus,
  mutant: Mutant,
  reasons: string[],
  dir: string,
): Promise<Outcome> {
  let options;
  try {
    options = await lay(mutant, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    return { kind: 'skipped', why: String(error) };
  }
  let result: ChainResult;
  try {
    result = await verifyChain({
      ...options,
      policy: mutant.chain.policy,
      trustedRoot: corpus.lab.root,
    });
  } catch (error) {
    if (error instanceof ProvenanceError) {
      return { kind: 'rejected', code: `throws ${error.code}` };
    }
    const text = error instanceof Error ? error.stack : String(error);
    return { kind: 'crash', label: mutant.label, error: text ?? '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (!result.verified) return { kind: 'rejected', code: firstError(result) };
  if (reasons.length > 0) {
    const detail = describeChange(mutant);
    return { kind: 'wrong-accept', label: mutant.label, reasons, detail };
  }
  return { kind: 'accepted', reason: mutant.label };
}

/** Options of {@link runMutations}. */
export interface RunOptions {
  runs: number;
  seed: number;
  /** Stop at the first wrong accept or crash, and shrink it. */
  stopOnFailure: boolean;
}

/** Draws `runs` mutations with fast-check and tallies their outcomes. */
export async function runMutations(
  corpus: Corpus,
  opts: RunOptions,
): Promise<Tally> {
  const t: Tally = {
    tried: 0,
    mustReject: 0,
    rejected: 0,
    rejectedBy: {},
    accepted: 0,
    acceptedBy: {},
    wrongAccepts: [],
    crashes: [],
    skipped: 0,
    ms: 0,
  };
  const work = await mkdtemp(join(tmpdir(), 'mprov-fuzz-'));
  const start = performance.now();
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const run = await runOne(corpus, m, join(work, `m${n++}`));
        const outcome = run.outcome;
        if (run.mustReject) t.mustReject++;
        record(t, m, outcome);
        const bad = outcome.kind === 'wrong-accept' || outcome.kind === 'crash';
        return !(bad && opts.stopOnFailure);
      }),
      { numRuns: opts.runs, seed: opts.seed, endOnFailure: true },
    );
  } finally {
    t.ms = performance.now() - start;
    await rm(work, { recursive: true, force: true });
  }
  return t;
}

function record(t: Tally, m: Mutation, o: Outcome): void {
  t.tried++;
  switch (o.kind) {
    case 'rejected':
      t.rejected++;
      bump(t.rejectedBy, o.code);
      break;
    case 'accepted':
      t.accepted++;
      bump(t.acceptedBy, o.reason);
      break;
    case 'wrong-accept':
      t.wrongAccepts.push({
        mutation: m,
        label: o.label,
        reasons: o.reasons,
        detail: o.detail,
      });
      break;
    case 'crash':
      t.crashes.push({ mutation: m, label: o.label, error: o.error });
      break;
    default:
      t.skipped++;
  }
}

const rows = (r: Record<string, number>): string[] =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `    ${String(v).padStart(6)}  ${k}`);

/** The figures as text, for the long run's output. */
export function formatTally(t: Tally): string {
  return [
    `mutations tried:   ${t.tried}`,
    `  must be rejected (changed signed content or files): ${t.mustReject}`,
    `rejected:          ${t.rejected}`,
    ...rows(t.rejectedBy),
    `accepted:          ${t.accepted} (signed content and files unchanged)`,
    ...rows(t.acceptedBy),
    `wrong accepts:     ${t.wrongAccepts.length}`,
    ...t.wrongAccepts
      .slice(0, 20)
      .map((w) => `    ${w.label}: ${w.reasons.join('; ')}\n      ${w.detail}`),
    `crashes:           ${t.crashes.length}`,
    ...t.crashes.slice(0, 20).map((c) => `    ${c.label}: ${c.error}`),
    `skipped:           ${t.skipped}`,
    `time:              ${(t.ms / 1000).toFixed(1)} s` +
      ` (${(t.ms / Math.max(t.tried, 1)).toFixed(1)} ms a mutation)`,
  ].join('\n');
}
