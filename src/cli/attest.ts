import type { ParseArgsOptionsConfig } from 'node:util';

import { attestStep, type StepInput } from '../attest/attest-step.js';
import type { ManifestSubjectMode } from '../attest/lean.js';
import { StatementError, UsageError } from '../errors.js';
import { AttestationStore } from '../store/store.js';
import {
  EXIT,
  parseCommandArgs,
  readJson,
  requiredOption,
  type CliIO,
  type Command,
} from './io.js';
import {
  KEY_OPTIONS,
  KEY_OPTIONS_HELP,
  KEYLESS_OPTIONS,
  KEYLESS_OPTIONS_HELP,
  signerFrom,
} from './keyless-args.js';

const HELP = `usage: mprov attest --kind KIND --output DIR --input [ROLE=]PATH ... [options]

Attests one packaging step: hashes its inputs and outputs, builds an in-toto
statement (SLSA Provenance v1), signs it keyless with Sigstore (or with a
key), and adds the bundle to the store beside the outputs. Attestations found in the inputs'
stores are carried into the output's store, so the chain travels with the
model.

step:
  --kind KIND              export, quantize, adapter-attach, repackage, or your own
  --input [ROLE=]PATH      an input file or folder (repeatable), e.g. base=./q
  --output PATH            the folder (or file) the step produced
  --param KEY=VALUE        a step parameter (repeatable; VALUE parsed as JSON
                           when it is JSON, else kept as a string)
  --params FILE            step parameters from a JSON object file
  --tool PATH              a tool the step used (recorded, not a link)
  --builder-id URI         the pipeline that ran the step
  --oms-signature FILE     also sign OUTPUT as OpenSSF Model Signing does and
                           write that model.sig here (OUTPUT/.mprov/model.sig
                           is never hashed)
  --store DIR              where to add the attestation (default: OUTPUT/.mprov,
                           or .mprov beside OUTPUT when it is a file)
  --manifest-subject MODE  auto (default), always or never: name a manifest
                           of the files (kept in the store) instead of
                           listing them; auto when the envelope would pass
                           64 KiB (docs/concepts.md)

signing (no defaults: name the Sigstore instance you use):
${KEYLESS_OPTIONS_HELP}
${KEY_OPTIONS_HELP}

  --json                   print the attestation id and statement as JSON
  -h, --help               show this help

parameters the built-in kinds require (docs/build-types.md):
  export          sourceFormat, targetFormat
  quantize        scheme, bits
  adapter-attach  adapterName, rank, targetModules, mode (merged or
                  side-loaded), and inputs base=PATH and adapter=PATH
  repackage       format, targetRuntime (optionally release={"name":..,
                  "version":..} for policies that pin a release)
  your own kinds  anything

exit codes: 0 attested, 1 signing failed, 2 usage or input error

example:
  mprov attest --kind quantize --input exported --output quantized \\
    --param scheme=int8-symmetric-per-tensor --param bits=8 \\
    --builder-id https://ci.example.com/quantize \\
    --fulcio-url http://127.0.0.1:8080 --rekor-url http://127.0.0.1:8080
  mprov attest --kind quantize --input exported --output quantized \\
    --param scheme=int8-symmetric-per-tensor --param bits=8 \\
    --builder-id https://ci.example.com/quantize --key signing-key.pem
`;

const OPTIONS = {
  kind: { type: 'string' },
  input: { type: 'string', multiple: true, default: [] },
  output: { type: 'string' },
  param: { type: 'string', multiple: true, default: [] },
  params: { type: 'string' },
  tool: { type: 'string', multiple: true, default: [] },
  'builder-id': { type: 'string' },
  store: { type: 'string' },
  'oms-signature': { type: 'string' },
  'manifest-subject': { type: 'string', default: 'auto' },
  ...KEYLESS_OPTIONS,
  ...KEY_OPTIONS,
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs({ args, options: OPTIONS });
  const kind = requiredOption(values.kind, '--kind', 'attest');
  const output = requiredOption(values.output, '--output', 'attest');
  const builderId = requiredOption(
    values['builder-id'],
    '--builder-id',
    'attest',
  );
  if (values.input.length === 0) {
    throw new UsageError('USAGE_INVALID', 'at least one --input is required');
  }
  const manifestSubject = manifestMode(values['manifest-subject']);

  const attested = await withParameterHint(
    attestStep({
      kind,
      inputs: values.input.map(parseInput),
      output,
      parameters: await parameters(values.params, values.param),
      builderId,
      tools: values.tool.map((path) => ({ path })),
      signer: await signerFrom(values),
      startedOn: new Date(),
      ...(values['oms-signature']
        ? { omsSignature: values['oms-signature'] }
        : {}),
      ...(values.store ? { store: new AttestationStore(values.store) } : {}),
      manifestSubject,
    }),
  );

  io.stdout(
    values.json
      ? JSON.stringify({ id: attested.id, statement: attested.statement }) +
          '\n'
      : `attested ${kind}: ${attested.id}\n`,
  );
  return EXIT.ok;
}

/** A bad parameter is fixed on the command line: say how. */
async function withParameterHint<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (
      error instanceof StatementError &&
      error.code === 'STATEMENT_PREDICATE_INVALID'
    ) {
      const hint = `${error.message}; set parameters with --param KEY=VALUE`;
      throw new StatementError(error.code, hint, { cause: error });
    }
    throw error;
  }
}

function manifestMode(value: string): ManifestSubjectMode {
  if (value === 'auto' || value === 'always' || value === 'never') {
    return value;
  }
  throw new UsageError(
    'USAGE_INVALID',
    `--manifest-subject: expected auto, always or never, found ${value}`,
  );
}

function parseInput(spec: string): StepInput {
  const match = /^([a-z][a-z0-9_-]*)=(.+)$/.exec(spec);
  return match ? { role: match[1], path: match[2] } : { path: spec };
}

async function parameters(
  file: string | undefined,
  pairs: string[],
): Promise<Record<string, unknown>> {
  const base = file === undefined ? {} : await readJson(file, 'parameters');
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    throw new UsageError('USAGE_INVALID', '--params must hold a JSON object');
  }
  const params: Record<string, unknown> = { ...base };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(
        'USAGE_INVALID',
        `--param ${pair}: expected KEY=VALUE`,
      );
    }
    params[pair.slice(0, eq)] = jsonOrString(pair.slice(eq + 1));
  }
  return params;
}

function jsonOrString(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** `mprov attest`: attest one packaging step. */
export const attestCommand: Command = {
  summary:
    'attest one packaging step (sign its statement keyless or with a key)',
  help: HELP,
  run,
};
