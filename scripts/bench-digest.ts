/**
 * `npm run bench:digest`: the library's model digests against OpenSSL on
 * the same files, with the files in the page cache. For each shape it
 * prints the library's throughput, the baseline's (`openssl dgst -sha256`
 * split into one process a core), their ratio (medians of BENCH_RUNS runs,
 * default 5) and the library's peak resident memory; the last line is one
 * JSON object with every figure. Besides wall time it compares CPU time
 * (bytes per CPU-second, every thread), which other work on the machine
 * disturbs less; and the wall time of a whole `mprov digest` process.
 * Runs the built package (`npm run build`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as Shapes from './bench-digest-shapes.js';

type Shape = Shapes.Shape;
type Method = 'files' | 'shards';
interface LibraryRun {
  bytes: number;
  coldSeconds: number;
  warmSeconds: number;
  coldCpuSeconds: number;
  warmCpuSeconds: number;
  maxRssBytes: number;
}
/** Wall throughput, and bytes per CPU-second (steadier when others run). */
interface Figures {
  gbps: number;
  ratio: number;
  cpuRatio: number;
}
interface BaselineRun {
  seconds: number;
  cpuSeconds: number;
}

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const CORES = availableParallelism();
const METHODS: Method[] = ['files', 'shards'];
const MiB = 1024 * 1024;
const SCALE = Number(process.env.BENCH_SCALE ?? 1);

const shapes = (await import(
  new URL('./bench-digest-shapes.ts', import.meta.url).href
)) as typeof Shapes;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Runs a command to its end; resolves with its stdout. */
function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`)),
    );
  });
}

/**
 * Wall seconds of a whole `mprov digest` process, as a user at a terminal
 * meets it: Node's start, loading the command, booting threads, hashing.
 */
async function cliRun(shape: Shape): Promise<number> {
  const main = new URL('../dist/cli/main.js', import.meta.url).pathname;
  const started = process.hrtime.bigint();
  await run(process.execPath, [main, 'digest', shape.model, '--json']);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function libraryRun(shape: Shape, method: Method): Promise<LibraryRun> {
  const child = new URL('./bench-digest-child.ts', import.meta.url).pathname;
  const out = await run(process.execPath, [child, shape.model, method]);
  return JSON.parse(out) as LibraryRun;
}

/** Splits files into one group a core, largest first onto the lightest. */
function splitForCores(files: Shape['files']): string[][] {
  const groups = Array.from({ length: CORES }, () => ({
    bytes: 0,
    paths: [] as string[],
  }));
  for (const f of [...files].sort((a, b) => b.size - a.size)) {
    const lightest = groups.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.bytes += f.size;
    lightest.paths.push(f.path);
  }
  return groups.filter((g) => g.paths.length > 0).map((g) => g.paths);
}

/** The shell's `times` builtin gives the CPU time of its children. */
const WITH_TIMES = 'openssl dgst -sha256 "$@" >/dev/null && times';

function childCpuSeconds(timesOutput: string): number {
  const last = timesOutput.trim().split('\n').at(-1) ?? '';
  return [...last.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, m, sec]) => sum + Number(m) * 60 + Number(sec),
    0,
  );
}

async function baselineRun(shape: Shape): Promise<BaselineRun> {
  const groups = splitForCores(shape.files);
  const started = process.hrtime.bigint();
  const outputs = await Promise.all(
    groups.map((paths) =>
      run('sh', ['-c', WITH_TIMES, 'sh', ...paths], shape.base),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = outputs.reduce((n, o) => n + childCpuSeconds(o), 0);
  return { seconds, cpuSeconds };
}

/** Runs library and baseline in turns, so that drift hits both alike. */
async function measure(shape: Shape) {
  const lib: Record<Method, LibraryRun[]> = { files: [], shards: [] };
  const base: BaselineRun[] = [];
  const cli: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const m of METHODS) lib[m].push(await libraryRun(shape, m));
    base.push(await baselineRun(shape));
    cli.push(await cliRun(shape));
  }
  const bytes = shape.files.reduce((n, f) => n + f.size, 0);
  const baselineSeconds = median(base.map((b) => b.seconds));
  return {
    shape: shape.name,
    bytes,
    files: shape.files.length,
    ...summarize(bytes, lib, base),
    cli: {
      gbps: bytes / median(cli) / 1e9,
      ratio: baselineSeconds / median(cli),
    },
    baselineProcesses: splitForCores(shape.files).length,
  };
}

/** Medians of wall and CPU time, as throughput and library/baseline. */
function summarize(
  bytes: number,
  lib: Record<Method, LibraryRun[]>,
  base: BaselineRun[],
) {
  const gbps = (s: number) => bytes / s / 1e9;
  const baseline = gbps(median(base.map((b) => b.seconds)));
  const baselineCpu = gbps(median(base.map((b) => b.cpuSeconds)));
  const figures = (seconds: number[], cpu: number[]): Figures => {
    const throughput = gbps(median(seconds));
    const cpuRatio = gbps(median(cpu)) / baselineCpu;
    return { gbps: throughput, ratio: throughput / baseline, cpuRatio };
  };
  const library = Object.fromEntries(
    METHODS.map((m) => {
      const runs = lib[m];
      const cold = figures(
        runs.map((r) => r.coldSeconds),
        runs.map((r) => r.coldCpuSeconds),
      );
      const warm = figures(
        runs.map((r) => r.warmSeconds),
        runs.map((r) => r.warmCpuSeconds),
      );
      const peakRssBytes = Math.max(...runs.map((r) => r.maxRssBytes));
      return [m, { cold, warm, peakRssBytes }];
    }),
  ) as Record<Method, { cold: Figures; warm: Figures; peakRssBytes: number }>;
  return { baseline: { gbps: baseline, gbPerCpuSecond: baselineCpu }, library };
}

type Result = Awaited<ReturnType<typeof measure>>;

function print(r: Result): void {
  const f = (x: number) => x.toFixed(2);
  console.log(`\n${r.shape}: ${f(r.bytes / 2 ** 30)} GiB in ${r.files} files`);
  console.log(
    `  baseline  openssl dgst -sha256 x${r.baselineProcesses}: ${f(r.baseline.gbps)} GB/s`,
  );
  for (const m of METHODS) {
    const l = r.library[m];
    for (const when of ['cold', 'warm'] as const) {
      console.log(
        `  library   ${m.padEnd(6)} ${when} ${f(l[when].gbps)} GB/s  ` +
          `ratio ${f(l[when].ratio)}  CPU-efficiency ratio ${f(l[when].cpuRatio)}`,
      );
    }
    console.log(
      `  library   ${m.padEnd(6)} peak RSS ${(l.peakRssBytes / MiB).toFixed(0)} MiB`,
    );
  }
  console.log(
    `  mprov digest, whole process: ${f(r.cli.gbps)} GB/s  ratio ${f(r.cli.ratio)}`,
  );
}

function checkSpace(root: string): void {
  const { bavail, bsize } = statfsSync(root);
  const free = bavail * bsize;
  console.log(`free space in ${root}: ${(free / 2 ** 30).toFixed(1)} GiB`);
  if (free < shapes.SHAPES_BYTES * SCALE * 1.1) {
    console.error(
      `not enough space: the shapes need ${(shapes.SHAPES_BYTES / 2 ** 30).toFixed(1)} GiB`,
    );
    process.exit(1);
  }
}

function conditions() {
  const openssl = execFileSync('openssl', ['version'], {
    encoding: 'utf8',
  }).trim();
  return {
    cores: CORES,
    node: process.version,
    openssl,
    runs: RUNS,
    loadavg: loadavg(),
  };
}

async function main(): Promise<void> {
  checkSpace(tmpdir());
  const before = conditions();
  console.log(
    `${before.cores} cores, node ${before.node}, ${before.openssl}, ${RUNS} runs, load ${before.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const root = mkdtempSync(join(tmpdir(), 'mprov-bench-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    console.log('writing the shapes...');
    const results: Result[] = [];
    for (const shape of shapes.buildShapes(root)) {
      shapes.warmPageCache(shape);
      const result = await measure(shape);
      print(result);
      results.push(result);
    }
    const loadAfter = loadavg();
    console.log(
      JSON.stringify({
        bench: 'digest',
        conditions: { ...before, loadavgAfter: loadAfter },
        results,
      }),
    );
  } finally {
    cleanup();
  }
}

await main();
