import { X509Certificate, createPublicKey } from 'node:crypto';

import { InteropError, UsageError } from '../errors.js';
import {
  verifyModelSignature,
  type OmsMethod,
  type OmsMismatch,
} from '../interop/index.js';
import { escapeForTerminal } from '../report/escape.js';
import { publicGoodRoot } from '../verify/public-good.js';
import { loadTrustedRoot } from '../verify/index.js';
import {
  EXIT,
  parseCommandArgs,
  parsePem,
  readPem,
  readJson,
  type CliIO,
  type Command,
} from './io.js';

const HELP = `usage: mprov verify-model MODEL_PATH --signature model.sig
         (--identity I --issuer O | --key K | --certificate-chain PEM...)
         [--trusted-root T] [--json]

Verifies a signature made by the OpenSSF model_signing tool (model.sig)
against a model folder or single-file model: the signature by one of its
three methods, then every file (or shard) against what was signed, as that
tool does. A model.sig inside the model folder is ignored when hashing.

methods:
  --identity I --issuer O   Sigstore: the certificate identity and OIDC
                            issuer; checked against --trusted-root, or the
                            embedded public-good root, offline
  --key K                   a PEM public key (ECDSA P-256/P-384, Ed25519)
  --certificate-chain PEM   one or more PEM files, intermediates first, the
                            root last (repeat the option or list files)

options:
  --signature FILE          the model.sig
  --trusted-root FILE       trusted_root.json for the Sigstore method
  --json                    print the result as JSON
  -h, --help                show this help

exit codes: 0 verified, 1 not verified (naming files that differ), 2 usage
or input error

example:
  mprov verify-model ./my-model --signature ./my-model/model.sig \\
    --identity someone@example.com --issuer https://accounts.example.com
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      signature: { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'string' },
      key: { type: 'string' },
      'certificate-chain': { type: 'string', multiple: true, default: [] },
      'trusted-root': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  // Files after --certificate-chain PEM land in positionals: the model is
  // first.
  const [model, ...morePems] = positionals;
  if (model === undefined || values.signature === undefined) {
    throw new UsageError(
      'USAGE_INVALID',
      'expected MODEL_PATH and --signature (see --help)',
    );
  }
  const chain = [...values['certificate-chain'], ...morePems];
  const method = await methodFrom({ ...values, chain });
  try {
    const result = await verifyModelSignature(model, values.signature, method);
    io.stdout(
      values.json
        ? JSON.stringify({ verified: true, ...result }, null, 2) + '\n'
        : `verified: ${result.predicate.resources.length} resources, root sha256:${result.rootDigest}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (
      !(error instanceof InteropError) ||
      error.code === 'OMS_MALFORMED' ||
      error.code === 'OMS_UNSUPPORTED'
    )
      throw error;
    const mismatch = (error as InteropError & { mismatch?: OmsMismatch })
      .mismatch;
    io.stdout(
      values.json
        ? JSON.stringify(
            {
              verified: false,
              code: error.code,
              message: error.message,
              ...(mismatch ? { mismatch } : {}),
            },
            null,
            2,
          ) + '\n'
        : escapeForTerminal(`NOT VERIFIED: ${error.code}: ${error.message}`) +
            '\n',
    );
    return EXIT.failed;
  }
}

async function methodFrom(v: {
  identity?: string;
  issuer?: string;
  key?: string;
  chain: string[];
  'trusted-root'?: string;
}): Promise<OmsMethod> {
  const chosen = [
    v.identity !== undefined || v.issuer !== undefined,
    v.key !== undefined,
    v.chain.length > 0,
  ];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UsageError(
      'USAGE_INVALID',
      'expected one method: --identity and --issuer, --key, or --certificate-chain',
    );
  }
  if (v.key !== undefined) {
    const pem = await readPem(v.key);
    return {
      kind: 'key',
      publicKey: parsePem(v.key, () => createPublicKey(pem)),
    };
  }
  if (v.chain.length > 0) {
    const certs = await Promise.all(
      v.chain.map(async (f) => {
        const pem = await readPem(f);
        return parsePem(f, () => new X509Certificate(pem));
      }),
    );
    return { kind: 'certificate', chain: certs };
  }
  if (v.identity === undefined || v.issuer === undefined) {
    throw new UsageError(
      'USAGE_INVALID',
      'the Sigstore method needs both --identity and --issuer',
    );
  }
  const root = v['trusted-root'];
  const trustedRoot = root
    ? loadTrustedRoot(await readJson(root, 'trusted root'))
    : publicGoodRoot();
  return {
    kind: 'sigstore',
    trustedRoot,
    identity: { identity: v.identity, issuer: v.issuer },
  };
}

/** `mprov verify-model`: verify an OpenSSF Model Signing model.sig. */
export const verifyModelCommand: Command = {
  summary: 'verify a model_signing model.sig against a model (OpenSSF format)',
  help: HELP,
  run,
};
