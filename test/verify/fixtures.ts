import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shared real-world test data (see its README for provenance). */
export const TESTDATA = join(import.meta.dirname, '../../../shared/testdata');

/** Reads a JSON file under the shared test data. */
export function readTestdata(...parts: string[]): unknown {
  return JSON.parse(readFileSync(join(TESTDATA, ...parts), 'utf8')) as unknown;
}

/** A small in-toto Statement v1, as the bytes a step would sign. */
export const STATEMENT = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      { name: 'model.safetensors', digest: { sha256: 'ab'.repeat(32) } },
    ],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://model-provenance.dev/quantize/v1',
        externalParameters: { bits: 4 },
      },
      runDetails: { builder: { id: 'https://ci.example.com/pipeline' } },
    },
  }),
);

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A deep copy of a JSON value, for tampering. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
