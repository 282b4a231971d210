/**
 * A child process that attests into a store, for the store's crash and
 * concurrency tests. Run with Node 22 and `--import ./register.ts`:
 *
 *   writer.ts loop <storeDir> <tag>         add large entries until killed
 *   writer.ts batch <storeDir> <tag> <n>    add n entries, then exit
 *
 * It prints `ready`; in a loop, `writing` before each add; and `added <id>`
 * after each add returns, so the parent knows which writes completed
 * before it killed the child.
 */
import { AttestationStore } from '../../../src/store/store.js';
import { fakeAttestation } from './payload.js';

const [mode, storeDir, tag, count] = process.argv.slice(2);
if (storeDir === undefined || tag === undefined) {
  throw new Error('usage: writer.ts loop|batch <storeDir> <tag> [n]');
}
const store = new AttestationStore(storeDir);
const say = (line: string) => process.stdout.write(line + '\n');

say('ready');
if (mode === 'loop') {
  // Sizes from 0.5 to 2.5 MB: large enough that a kill often lands
  // inside a write, small enough to leave the disk alone.
  for (let i = 0; ; i++) {
    const size = 500_000 + ((i * 977_123) % 2_000_000);
    const bytes = fakeAttestation(tag, i, size);
    say('writing');
    say(`added ${await store.add(bytes)}`);
  }
} else {
  const n = Number(count);
  for (let i = 0; i < n; i++) {
    // Every fifth entry is shared by both writers: the same bytes at once.
    const entry =
      i % 5 === 0
        ? fakeAttestation('shared', i, 40_000)
        : fakeAttestation(tag, i, 40_000);
    say(`added ${await store.add(entry)}`);
  }
  say('done');
}
