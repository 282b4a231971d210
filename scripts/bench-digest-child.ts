/**
 * One timed run of the library, in its own process so that its peak
 * resident memory is its own: `node scripts/bench-digest-child.ts PATH
 * files|shards`. Hashes twice: cold (the call boots the hashing threads, as
 * a fresh `mprov digest` does) then warm (threads running, as in a service
 * or in `attest`, which hashes inputs and outputs in one process). Prints
 * one JSON line: bytes, wall and CPU seconds of each call, maxRssBytes.
 * Run by scripts/bench-digest.ts; needs `npm run build` first.
 */
import type * as Library from '../src/digest/index.js';

const [path = '', arg = 'files'] = process.argv.slice(2);
if (path === '' || (arg !== 'files' && arg !== 'shards')) {
  console.error('usage: bench-digest-child.ts PATH files|shards');
  process.exit(2);
}
const method = arg === 'shards' ? 'shards' : 'files';

// The built package, as users run it: its worker is dist/digest/worker.js.
const lib = (await import(
  new URL('../dist/digest/index.js', import.meta.url).href
)) as typeof Library;

/**
 * Wall and CPU seconds (every thread) for one call: cold boots the hashing
 * threads, warm reuses them.
 */
async function timed() {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const model = await lib.serializeModel(path, { serialization: method });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (user + system) / 1e6, bytes: model.bytes };
}

const cold = await timed();
const warm = await timed();
console.log(
  JSON.stringify({
    bytes: cold.bytes,
    coldSeconds: cold.seconds,
    warmSeconds: warm.seconds,
    coldCpuSeconds: cold.cpuSeconds,
    warmCpuSeconds: warm.cpuSeconds,
    // resourceUsage reports kibibytes; it covers every thread of the process.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
