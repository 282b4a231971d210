/**
 * A small packaging pipeline that attests each of its steps with the
 * library: export (JSON floats to raw float32), quantize (float32 to int8
 * with one scale) and repackage (the release folder with a model card).
 *
 *   MPROV_FULCIO_URL=... MPROV_REKOR_URL=... [MPROV_TSA_URL=...] \
 *   SIGSTORE_ID_TOKEN=... node examples/pipeline.ts WORK_DIR
 *
 * The Sigstore URLs and the identity token come from the environment and
 * have no defaults: nothing is contacted unless you name it. WORK_DIR gets
 * `upstream/` (a sample model, unless one is there), then `exported/`,
 * `quantized/` and `release/`, each with its `.mprov` store. The tests call
 * {@link runPipeline} with the local stand-in's URLs and tokens.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { attestStep, keylessSigner, type Signer } from 'model-provenance';

/** Where and as whom the pipeline signs. */
export interface PipelineOptions {
  /** The folder holding `upstream/`; the steps write beside it. */
  workDir: string;
  fulcioURL: string;
  rekorURL: string;
  tsaURL?: string;
  /** Returns the OIDC token to sign with; asked once per step. */
  identityToken: () => Promise<string>;
  /** The pipeline's URI, recorded as each step's builder. */
  builderId: string;
}

/** One attested step: its kind, its output folder, its attestation id. */
export interface PipelineStep {
  kind: string;
  output: string;
  id: string;
}

/** Writes a tiny sample model into `dir/upstream`. */
export async function writeSampleUpstream(dir: string): Promise<void> {
  const up = join(dir, 'upstream');
  await mkdir(up, { recursive: true });
  const weights = Array.from({ length: 64 }, (_, i) => Math.sin(i) / 2);
  await writeFile(join(up, 'weights.json'), JSON.stringify(weights));
  await writeFile(join(up, 'config.json'), '{"layers":1,"width":64}\n');
}

async function exportStep(from: string, to: string): Promise<void> {
  const floats = JSON.parse(
    await readFile(join(from, 'weights.json'), 'utf8'),
  ) as number[];
  await mkdir(to, { recursive: true });
  await writeFile(join(to, 'weights.f32'), new Float32Array(floats));
  await cp(join(from, 'config.json'), join(to, 'config.json'));
}

async function quantizeStep(from: string, to: string): Promise<void> {
  // A copy, so the floats start on an aligned offset.
  const bytes = Uint8Array.from(await readFile(join(from, 'weights.f32')));
  const floats = new Float32Array(bytes.buffer);
  const scale = Math.max(...floats.map(Math.abs)) / 127 || 1;
  const ints = Int8Array.from(floats, (f) => Math.round(f / scale));
  await mkdir(to, { recursive: true });
  await writeFile(join(to, 'weights.i8'), ints);
  const config = JSON.parse(
    await readFile(join(from, 'config.json'), 'utf8'),
  ) as object;
  const quantized = { ...config, quantization: { bits: 8, scale } };
  await writeFile(join(to, 'config.json'), JSON.stringify(quantized) + '\n');
}

async function repackageStep(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of ['weights.i8', 'config.json']) {
    await cp(join(from, name), join(to, name));
  }
  await writeFile(
    join(to, 'README.md'),
    '# sample model\n\nint8, 64 weights\n',
  );
}

/** Each step: what it does, and the parameters its statement records. */
const STEPS = [
  {
    kind: 'export',
    from: 'upstream',
    to: 'exported',
    run: exportStep,
    parameters: { sourceFormat: 'json-floats', targetFormat: 'raw-f32' },
  },
  {
    kind: 'quantize',
    from: 'exported',
    to: 'quantized',
    run: quantizeStep,
    parameters: { scheme: 'int8-symmetric-per-tensor', bits: 8 },
  },
  {
    kind: 'repackage',
    from: 'quantized',
    to: 'release',
    run: repackageStep,
    parameters: { format: 'folder', targetRuntime: 'node' },
  },
];

/**
 * Runs the three steps on `workDir/upstream` and attests each as it
 * finishes. Each step's store carries the earlier attestations, so
 * `release/.mprov` holds the whole chain.
 *
 * @returns The attested steps, in order.
 * @throws SigningError when Sigstore refuses or cannot be reached.
 */
export async function runPipeline(
  options: PipelineOptions,
): Promise<PipelineStep[]> {
  const signer: Signer = keylessSigner({
    fulcioURL: options.fulcioURL,
    rekorURL: options.rekorURL,
    ...(options.tsaURL ? { tsaServerURL: options.tsaURL } : {}),
    tokenProvider: options.identityToken,
  });
  const done: PipelineStep[] = [];
  for (const step of STEPS) {
    const from = join(options.workDir, step.from);
    const output = join(options.workDir, step.to);
    const startedOn = new Date();
    await step.run(from, output);
    const { id } = await attestStep({
      kind: step.kind,
      inputs: [{ path: from }],
      output,
      parameters: step.parameters,
      builderId: options.builderId,
      startedOn,
      finishedOn: new Date(),
      signer,
    });
    done.push({ kind: step.kind, output, id });
  }
  return done;
}

/**
 * The command line: URLs and token from `env`, WORK_DIR from `argv`.
 *
 * @returns The exit code: 0 attested, 1 signing failed, 2 usage.
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [workDir] = argv;
  const fulcioURL = env.MPROV_FULCIO_URL;
  const rekorURL = env.MPROV_REKOR_URL;
  const token = env.SIGSTORE_ID_TOKEN;
  if (!workDir || !fulcioURL || !rekorURL || !token) {
    console.error(
      'usage: pipeline WORK_DIR, with MPROV_FULCIO_URL, MPROV_REKOR_URL and SIGSTORE_ID_TOKEN set (MPROV_TSA_URL optional)',
    );
    return 2;
  }
  if (!existsSync(join(workDir, 'upstream'))) {
    await writeSampleUpstream(workDir);
  }
  try {
    const steps = await runPipeline({
      workDir,
      fulcioURL,
      rekorURL,
      ...(env.MPROV_TSA_URL ? { tsaURL: env.MPROV_TSA_URL } : {}),
      identityToken: () => Promise.resolve(token),
      builderId: env.MPROV_BUILDER_ID ?? 'https://example.com/pipeline',
    });
    for (const s of steps) console.log(`attested ${s.kind}: ${s.id}`);
    return 0;
  } catch (error) {
    console.error(`pipeline failed: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
