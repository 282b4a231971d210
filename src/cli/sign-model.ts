import { X509Certificate, createPrivateKey } from 'node:crypto';

import { UsageError } from '../errors.js';
import { signModel, type OmsSigningMethod } from '../interop/index.js';
import {
  EXIT,
  parseCommandArgs,
  parsePem,
  readPem,
  type CliIO,
  type Command,
} from './io.js';
import {
  KEYLESS_OPTIONS,
  KEYLESS_OPTIONS_HELP,
  keylessSignerFrom,
} from './keyless-args.js';
import { writeOutputFile } from './output.js';

const HELP = `usage: mprov sign-model MODEL_PATH [--output model.sig] [method] [options]

Signs a model folder or single-file model in the OpenSSF Model Signing
format (model.sig), as the model_signing tool does: the same statement,
the same resource order, the same root digest. The output file is never
hashed when it lies inside the model.

methods (keyless is the default):
${KEYLESS_OPTIONS_HELP}
  --key PEM                sign with this private key (ECDSA P-256/P-384,
                           Ed25519); the bundle carries its public key
  --certificate PEM --key PEM
                           sign with the key of this certificate; list the
                           intermediates with --certificate-chain PEM...

options:
  --output FILE            where to write the signature (default: model.sig)
  --serialization S        files (default) or shards
  --shard-size N           bytes per shard (default 1000000000)
  --ignore PATH            a path to leave out (repeatable)
  --allow-symlinks         hash links to files inside the model
  --json                   print the signed statement as JSON
  -h, --help               show this help

exit codes: 0 signed, 1 signing failed, 2 usage or input error

example:
  mprov sign-model ./my-model --output ./my-model/model.sig --key signing-key.pem
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      ...KEYLESS_OPTIONS,
      output: { type: 'string', default: 'model.sig' },
      key: { type: 'string' },
      certificate: { type: 'string' },
      'certificate-chain': { type: 'string', multiple: true, default: [] },
      serialization: { type: 'string', default: 'files' },
      'shard-size': { type: 'string' },
      ignore: { type: 'string', multiple: true, default: [] },
      'allow-symlinks': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [model, ...extra] = positionals;
  if (model === undefined || extra.length > 0) {
    throw new UsageError(
      'USAGE_INVALID',
      'expected one MODEL_PATH (see --help)',
    );
  }
  const serialization = values.serialization;
  if (serialization !== 'files' && serialization !== 'shards') {
    throw new UsageError('USAGE_INVALID', '--serialization: files or shards');
  }
  const shardSize =
    values['shard-size'] === undefined
      ? undefined
      : Number(values['shard-size']);
  if (
    shardSize !== undefined &&
    !(Number.isSafeInteger(shardSize) && shardSize > 0)
  ) {
    throw new UsageError(
      'USAGE_INVALID',
      '--shard-size: expected a positive integer',
    );
  }
  const { bundle, statement } = await signModel(
    model,
    await methodFrom(values),
    {
      serialization,
      ...(shardSize ? { shardSize } : {}),
      ignore: values.ignore,
      allowSymlinks: values['allow-symlinks'],
      signaturePath: values.output,
    },
  );
  await writeOutputFile(values.output, JSON.stringify(bundle, null, 2) + '\n');
  io.stdout(
    values.json
      ? JSON.stringify(statement, null, 2) + '\n'
      : `signed ${model}: ${values.output}\n`,
  );
  return EXIT.ok;
}

async function methodFrom(values: {
  key?: string;
  certificate?: string;
  'certificate-chain': string[];
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'tsa-url'?: string;
  'identity-token-file'?: string;
}): Promise<OmsSigningMethod> {
  if (values.certificate !== undefined && values.key === undefined) {
    throw new UsageError(
      'USAGE_INVALID',
      '--certificate needs --key, its private key',
    );
  }
  if (values.key === undefined) {
    return { kind: 'sigstore', signer: await keylessSignerFrom(values) };
  }
  const keyPem = await readPem(values.key);
  const privateKey = parsePem(values.key, () => createPrivateKey(keyPem));
  if (values.certificate === undefined) return { kind: 'key', privateKey };
  const files = [values.certificate, ...values['certificate-chain']];
  const chain = await Promise.all(
    files.map(async (f) => {
      const pem = await readPem(f);
      return parsePem(f, () => new X509Certificate(pem));
    }),
  );
  return { kind: 'certificate', privateKey, chain };
}

/** `mprov sign-model`: sign a model in the OpenSSF Model Signing format. */
export const signModelCommand: Command = {
  summary: 'sign a model as model_signing does (model.sig, OpenSSF format)',
  help: HELP,
  run,
};
