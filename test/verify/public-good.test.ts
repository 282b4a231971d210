import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { publicGoodRoot } from '../../src/verify/public-good.js';
import { TESTDATA } from './fixtures.js';

const EMBEDDED = join(
  import.meta.dirname,
  '../../src/verify/roots/public-good.trusted_root.json',
);
const SEEDS = join(
  import.meta.dirname,
  '../../node_modules/@sigstore/tuf/seeds.json',
);

describe('#publicGoodRoot', () => {
  describe('when loaded twice', () => {
    it('returns the same handle, named by its digest', () => {
      const root = publicGoodRoot();
      expect(publicGoodRoot()).toBe(root);
      expect(root.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });
  });

  describe('when compared with its sources', () => {
    const embedded = readFileSync(EMBEDDED, 'utf8');

    it('returns the shared copy of the public-good root byte for byte', () => {
      const shared = join(TESTDATA, 'public-good/trusted_root.json');
      expect(embedded).toBe(readFileSync(shared, 'utf8'));
    });

    it.skipIf(!existsSync(SEEDS))(
      'returns the seed of the installed @sigstore/tuf',
      () => {
        const seeds = JSON.parse(readFileSync(SEEDS, 'utf8')) as Record<
          string,
          { targets: Record<string, string> }
        >;
        const seed = seeds['https://tuf-repo-cdn.sigstore.dev'];
        const target = seed?.targets['trusted_root.json'] ?? '';
        expect(Buffer.from(target, 'base64').toString('utf8')).toBe(embedded);
      },
    );
  });
});
