/**
 * Maps a drawn mutation onto the corpus: which chain, which entries and
 * files, what was done, and any rule beyond the oracle that it breaks.
 */
import type { Chain, Corpus, FileMap } from './corpus.js';
import { at, editEntry, flipBit } from './edit.js';
import { GARBAGE, type Mutation } from './mutations.js';

/** A symbolic link that replaces a file of the model. */
export interface Link {
  path: string;
  /** Another file of the model, or a copy of the file outside it. */
  to: { inside: string } | { outside: Buffer };
}

/** A mutated model: what to write to disk and verify. */
export interface Mutant {
  chain: Chain;
  /** Store entries; `name` overrides the file name `<id>.sigstore.json`. */
  entries: { bytes: Buffer; name?: string }[];
  /** Files beside the entries that are not entries (leftovers). */
  temps: { name: string; bytes: Buffer }[];
  /** The model's files when they differ from the chain's. */
  files?: FileMap;
  links: Link[];
  /** What was done, for the tally of accepted mutations. */
  label: string;
  /** A documented rule, beyond the oracle, that requires a rejection. */
  requires?: string;
}

const otherChain = (corpus: Corpus, self: number, other: number): Chain => {
  const n = corpus.chains.length;
  const i = other % n === self % n ? (self + 1) % n : other % n;
  return corpus.chains[i];
};

/** Maps a drawn mutation onto the corpus. */
export function applyMutation(corpus: Corpus, m: Mutation): Mutant {
  const chain = at(corpus.chains, m.chain);
  const entries: Mutant['entries'] = chain.entries.map((bytes) => ({ bytes }));
  const base: Mutant = { chain, entries, temps: [], links: [], label: m.op };
  const idx = 'entry' in m ? m.entry % entries.length : 0;
  const names = [...chain.files.keys()].sort();
  const files = new Map(chain.files);
  const file = 'file' in m ? at(names, m.file) : '';

  switch (m.op) {
    case 'drop':
      entries.splice(idx, 1);
      return base;
    case 'swap':
    case 'add-foreign': {
      const other = otherChain(corpus, m.chain, m.other);
      const bytes = at(other.entries, m.otherEntry);
      if (m.op === 'swap') entries[idx] = { bytes };
      else entries.push({ bytes });
      return base;
    }
    case 'forged': {
      const bytes = at(corpus.forged, m.forged);
      if (m.replace) entries[idx] = { bytes };
      else entries.push({ bytes });
      return { ...base, label: m.replace ? 'forged replace' : 'forged add' };
    }
    case 'garbage': {
      const bytes = m.useRandom
        ? Buffer.from(m.random)
        : Buffer.from(at(GARBAGE, m.which), 'utf8');
      entries.push({ bytes });
      return base;
    }
    case 'temp-leftover': {
      const whole = m.forged ? at(corpus.forged, m.len) : entries[idx].bytes;
      const bytes = m.forged ? whole : whole.subarray(0, m.len % whole.length);
      const name = `.${'f'.repeat(64)}.${(m.len % 65536).toString(16)}.tmp`;
      base.temps.push({ name, bytes });
      return {
        ...base,
        label: m.forged ? 'temp-leftover whole forged' : 'temp-leftover cut',
      };
    }
    case 'rename-entry':
      entries[idx] = {
        bytes: entries[idx].bytes,
        name: 'renamed.sigstore.json',
      };
      return base;
    case 'file-flip':
      files.set(file, flipBit(files.get(file)!, m.pos));
      return { ...base, files };
    case 'file-truncate': {
      const bytes = files.get(file)!;
      files.set(file, bytes.subarray(0, m.len % bytes.length));
      return { ...base, files };
    }
    case 'file-append':
      files.set(file, Buffer.concat([files.get(file)!, Buffer.from(m.bytes)]));
      return { ...base, files };
    case 'file-delete':
      files.delete(file);
      return { ...base, files };
    case 'file-add':
      files.set(m.name, Buffer.from(m.bytes));
      return { ...base, files, label: `file-add ${JSON.stringify(m.name)}` };
    case 'file-rename': {
      const bytes = files.get(file)!;
      files.delete(file);
      files.set(m.name, bytes);
      return { ...base, files, label: `file-rename ${JSON.stringify(m.name)}` };
    }
    case 'file-swap': {
      const a = file;
      const b =
        names.find((x) => x !== a && x === at(names, m.other)) ??
        names.find((x) => x !== a)!;
      files.set(a, chain.files.get(b)!);
      files.set(b, chain.files.get(a)!);
      return { ...base, files };
    }
    case 'files-other': {
      const other = otherChain(corpus, m.chain, m.other);
      const label = m.withStore ? 'files-other with its store' : 'files-other';
      const swapped = m.withStore
        ? other.entries.map((bytes) => ({ bytes }))
        : entries;
      return { ...base, entries: swapped, files: new Map(other.files), label };
    }
    case 'file-ignored':
      files.set(m.name, Buffer.from('ignored'));
      return { ...base, files, label: `file-ignored ${m.name}` };
    case 'file-symlink': {
      const bytes = files.get(file)!;
      files.delete(file);
      const to = m.outside
        ? { outside: bytes }
        : { inside: names.find((x) => x !== file)! };
      return {
        ...base,
        files,
        links: [{ path: file, to }],
        label: `file-symlink ${m.outside ? 'outside' : 'inside'}`,
        requires: 'a symbolic link in the model is refused',
      };
    }
    default: {
      const edited = editEntry(entries[idx].bytes, m);
      entries[idx] = { bytes: edited.bytes };
      return { ...base, label: edited.label, requires: edited.requires };
    }
  }
}
