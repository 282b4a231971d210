import { join } from 'node:path';

/**
 * The real-world test material, copied byte for byte from
 * `../shared/testdata` (its README, kept beside the files, says where each
 * came from), so that the tests run on any clone.
 */
export const TESTDATA = join(import.meta.dirname, 'fixtures', 'testdata');
