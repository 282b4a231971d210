/**
 * `npm run bench:chain`: how chain verification beyond hashing and
 * signature checks grows with the number of attestations and of files.
 * Builds chains signed through the local stand-in (127.0.0.1), then times,
 * separately, step 1-4 (load and verify signatures) and steps 5-9
 * (analyzeChain: disk comparison, walk, order, release), with the
 * manifest given so nothing is hashed. Prints per size the medians of
 * BENCH_RUNS runs (default 5), the analysis time per attestation or per
 * file, and its growth against the smallest size (linear growth keeps
 * "per unit" flat); the last line is one JSON object. Runs the built
 * package (`npm run build`).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  analyzeChain,
  attestStep,
  digestModel,
  keylessSigner,
  loadChain,
  loadTrustedRoot,
  validatePolicy,
  AttestationStore,
  ManifestStore,
  type Policy,
  type Signer,
} from '../dist/index.js';
import { startStandIn, type StandIn } from '../dist/testing/index.js';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const WHO = 'pipeline@example.com';

interface Case {
  label: string;
  units: number;
  dir: string;
  model: string;
  policy: Policy;
}

async function writeFiles(dir: string, count: number, tag: string) {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    await writeFile(
      join(dir, `f${String(i).padStart(5, '0')}.bin`),
      `${tag}-${i}`,
    );
  }
}

function policyFor(standIn: StandIn, roots: string[]): Policy {
  const signers = [{ issuer: standIn.issuer, identity: WHO }];
  return validatePolicy({
    version: 1,
    steps: { convert: { signers } },
    roots: roots.map((sha256) => ({ sha256 })),
  });
}

/** A linear chain of `steps` convert steps over one small file. */
async function longChain(standIn: StandIn, signer: Signer, steps: number) {
  const dir = await mkdtemp(join(tmpdir(), 'mprov-bench-steps-'));
  await writeFiles(join(dir, 's0'), 1, 'v0');
  const root = (await digestModel(join(dir, 's0'))).entries[0].sha256;
  for (let i = 1; i <= steps; i += 1) {
    await writeFiles(join(dir, `s${i}`), 1, `v${i}`);
    await attestStep({
      kind: 'convert',
      inputs: [{ path: join(dir, `s${i - 1}`) }],
      output: join(dir, `s${i}`),
      parameters: { n: i },
      builderId: 'https://ci.example.com/bench',
      signer,
    });
  }
  const policy = policyFor(standIn, [root]);
  return {
    label: `${steps} steps`,
    units: steps,
    dir,
    model: join(dir, `s${steps}`),
    policy,
  };
}

/** Two steps over `files` files each. */
async function wideChain(standIn: StandIn, signer: Signer, files: number) {
  const dir = await mkdtemp(join(tmpdir(), 'mprov-bench-files-'));
  await writeFiles(join(dir, 'up'), files, 'up');
  await writeFiles(join(dir, 'a'), files, 'a');
  await writeFiles(join(dir, 'b'), files, 'b');
  const roots = (await digestModel(join(dir, 'up'))).entries.map(
    (e) => e.sha256,
  );
  for (const [from, to] of [
    ['up', 'a'],
    ['a', 'b'],
  ] as const) {
    await attestStep({
      kind: 'convert',
      inputs: [{ path: join(dir, from) }],
      output: join(dir, to),
      parameters: {},
      builderId: 'https://ci.example.com/bench',
      signer,
    });
  }
  return {
    label: `${files} files`,
    units: files,
    dir,
    model: join(dir, 'b'),
    policy: policyFor(standIn, roots),
  };
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(standIn: StandIn, c: Case) {
  const root = loadTrustedRoot(standIn.trustedRoot);
  const entries = await AttestationStore.forModel(c.model).list();
  const manifest = await digestModel(c.model);
  const files = manifest.entries.map((e) => ({
    name: e.path,
    sha256: e.sha256,
  }));
  const load: number[] = [];
  const analyze: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    let t = performance.now();
    // Wide steps name manifests (attestStep's default, auto): resolve them.
    const manifests = ManifestStore.forModel(c.model);
    const loaded = await loadChain(entries, root, c.policy, manifests);
    load.push(performance.now() - t);
    t = performance.now();
    const result = analyzeChain({
      loaded,
      stored: entries.length,
      files,
      rootDigest: manifest.rootDigest,
      policy: c.policy,
      modelPath: c.model,
      trustedRoot: root.digest,
    });
    analyze.push(performance.now() - t);
    if (!result.verified) throw new Error(`${c.label}: chain did not verify`);
  }
  return {
    label: c.label,
    units: c.units,
    loadMs: median(load),
    analyzeMs: median(analyze),
  };
}

function print(title: string, rows: Awaited<ReturnType<typeof measure>>[]) {
  const base = rows[0];
  console.log(`\n${title}`);
  for (const r of rows) {
    const perUnit = r.analyzeMs / r.units;
    const growth = r.analyzeMs / base.analyzeMs / (r.units / base.units);
    console.log(
      `  ${r.label.padEnd(11)} signatures ${r.loadMs.toFixed(1).padStart(8)} ms` +
        `  analysis ${r.analyzeMs.toFixed(2).padStart(8)} ms` +
        `  ${(perUnit * 1000).toFixed(1).padStart(7)} µs/unit` +
        `  growth vs linear ${growth.toFixed(2)}`,
    );
  }
}

async function main() {
  const standIn = await startStandIn();
  const cases: Case[] = [];
  try {
    const signer = keylessSigner({
      fulcioURL: standIn.fulcioURL,
      rekorURL: standIn.rekorURL,
      tokenProvider: () => standIn.mintToken(WHO),
    });
    const steps = [];
    for (const n of [10, 25, 50])
      cases.push(await longChain(standIn, signer, n));
    for (const c of cases) steps.push(await measure(standIn, c));
    const wide = [];
    for (const n of [500, 1000, 2000]) {
      const c = await wideChain(standIn, signer, n);
      cases.push(c);
      wide.push(await measure(standIn, c));
    }
    print(`attestations (median of ${RUNS})`, steps);
    print(`files (median of ${RUNS})`, wide);
    console.log(
      JSON.stringify({ bench: 'chain', runs: RUNS, steps, files: wide }),
    );
  } finally {
    await standIn.close();
    await Promise.all(
      cases.map((c) => rm(c.dir, { recursive: true, force: true })),
    );
  }
}

await main();
