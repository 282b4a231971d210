/**
 * `npm run measure:statement`: how large a step's DSSE envelope and its
 * Sigstore bundle grow with the number of files a statement lists, and
 * what naming a manifest instead costs. For N files with paths of a
 * realistic length (about 40 characters: sharded checkpoints, tokenizer
 * and config files in subfolders), builds a quantize statement whose
 * outputs are the N files and whose input is one checkpoint ("outputs"),
 * then one whose inputs are N files too ("in+out"), listed and with
 * manifests; signs each through the local stand-in (127.0.0.1) for the
 * bundle's size. The last line is one JSON object. Runs the built package
 * (`npm run build`).
 */
import {
  buildLeanStatement,
  DEFAULT_MANIFEST_SUBJECT_ABOVE,
  encodeManifest,
  envelopeSize,
  keylessSigner,
  PAYLOAD_TYPE,
  type Statement,
} from '../dist/index.js';
import { startStandIn } from '../dist/testing/index.js';

const SIZES = [100, 500, 1000, 5000];
const hex = (i: number): string => i.toString(16).padStart(64, '0');

/** N paths like a large model's files, about 40 characters on average. */
function files(n: number, prefix: string): { name: string; sha256: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    name:
      i % 10 === 0
        ? `${prefix}tokenizer/merges-part-${String(i).padStart(5, '0')}.txt`
        : `${prefix}shards/layer-${i % 96}/model-${String(i).padStart(5, '0')}-of-${n}.safetensors`,
    sha256: hex(i + 1),
  }));
}

function step(n: number, inputs: number) {
  return {
    kind: 'quantize',
    outputs: files(n, ''),
    bundle: { name: 'model-int8', rootDigest: hex(0) },
    inputs: files(inputs, 'in/'),
    parameters: { scheme: 'int8-symmetric-per-tensor', bits: 8 },
    builderId: 'https://ci.example.com/acme/pipeline/quantize',
    invocationId: 'run-1234567890',
    startedOn: '2026-12-04T10:00:00Z',
    finishedOn: '2026-12-04T10:05:00Z',
  };
}

/** The fewest files whose listed envelope exceeds the default budget. */
function firstOver(make: (n: number) => ReturnType<typeof step>): number {
  let low = 1;
  let high = 100_000;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const size = envelopeSize(buildLeanStatement(make(mid), 'never').statement);
    if (size > DEFAULT_MANIFEST_SUBJECT_ABOVE) high = mid;
    else low = mid + 1;
  }
  return low;
}

const standIn = await startStandIn();
/** A signer per signature: one refused upload must not spoil the next. */
async function signer() {
  return keylessSigner({
    fulcioURL: standIn.fulcioURL,
    rekorURL: standIn.rekorURL,
    tsaServerURL: standIn.tsaURL,
    identityToken: await standIn.mintToken('pipeline@example.com'),
  });
}

/** The signed bundle's size, or why the stand-in's log refused it. */
async function bundleSize(statement: Statement): Promise<number | string> {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  try {
    const bundle = await (await signer()).signDsse(payload, PAYLOAD_TYPE);
    return Buffer.byteLength(JSON.stringify(bundle));
  } catch (error) {
    return `refused: ${error instanceof Error ? error.message : 'error'}`;
  }
}

const rows = [];
try {
  for (const shape of ['outputs', 'in+out'] as const) {
    for (const n of SIZES) {
      const description = step(n, shape === 'outputs' ? 1 : n);
      const listed = buildLeanStatement(description, 'never').statement;
      const lean = buildLeanStatement(description, 'always');
      const avgPath =
        description.outputs.reduce((s, f) => s + f.name.length, 0) / n;
      const row = {
        shape,
        files: n,
        avgPath: Math.round(avgPath),
        manifestEnvelope: envelopeSize(lean.statement),
        // Before the listed one: after a refused upload the stand-in's
        // next request has been seen to fail.
        manifestBundle: await bundleSize(lean.statement),
        listedEnvelope: envelopeSize(listed),
        listedBundle: await bundleSize(listed),
        outputManifest: encodeManifest(description.outputs).length,
      };
      rows.push(row);
      console.log(
        `${shape.padEnd(7)} ${String(n).padStart(5)} files ` +
          `(path ~${row.avgPath})  ` +
          `listed: envelope ${row.listedEnvelope} B, bundle ${row.listedBundle}  ` +
          `manifest: envelope ${row.manifestEnvelope} B, bundle ${row.manifestBundle}, ` +
          `file ${row.outputManifest} B`,
      );
    }
  }
  const perFile = rows
    .filter((r) => r.shape === 'outputs')
    .map((r) => (r.listedEnvelope - r.manifestEnvelope) / r.files);
  console.log(
    `envelope bytes per listed file: ${perFile.map((x) => x.toFixed(1)).join(', ')}; ` +
      `budget under auto: ${DEFAULT_MANIFEST_SUBJECT_ABOVE} B`,
  );
  const switchAt = {
    outputs: firstOver((n) => step(n, 1)),
    inOut: firstOver((n) => step(n, n)),
  };
  console.log(
    `auto names a manifest from ${switchAt.outputs} output files ` +
      `(one input), or ${switchAt.inOut} files in and out`,
  );
  console.log(
    JSON.stringify({ budget: DEFAULT_MANIFEST_SUBJECT_ABOVE, switchAt, rows }),
  );
} finally {
  await standIn.close();
}
