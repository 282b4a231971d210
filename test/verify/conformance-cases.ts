import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { TESTDATA } from './fixtures.js';

/** One case of the Sigstore conformance suite, as cases.json lists it. */
export interface ConformanceCase {
  name: string;
  expect: 'pass' | 'fail';
  bundle: string;
  artifact: string;
  trustedRoot: string;
  key?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  alsoRunWithDigest?: boolean;
}

/** The suite's folder under the shared test data. */
export const SUITE = join(TESTDATA, 'sigstore-conformance');

/** Every case of the suite (see the shared test data README). */
export const CASES = (
  JSON.parse(readFileSync(join(SUITE, 'cases.json'), 'utf8')) as {
    cases: ConformanceCase[];
  }
).cases;

/** Identity and issuer of the public-good conformance bundles. */
export const BEACON = {
  identity:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
