import { UsageError, VerifyError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import { parseStrictJson } from '../json/strict.js';
import type { ArtifactInput } from '../verify/artifact.js';
import type { BundlePolicy } from '../verify/bundle-policy.js';
import { MAX_BUNDLE_BYTES } from '../verify/bundle-input.js';
import { verifyBundle } from '../verify/bundle.js';
import type { CertificateExtensions } from '../verify/extensions.js';
import {
  PUBLIC_GOOD_ROOT_SOURCE,
  publicGoodRoot,
} from '../verify/public-good.js';
import { loadTrustedRoot } from '../verify/trusted-root.js';
import {
  EXIT,
  parseCommandArgs,
  readInput,
  type CliIO,
  type Command,
} from './io.js';
import { readStdin, STDIN } from './stdin.js';
import {
  renderFailure,
  renderJson,
  renderText,
} from './verify-bundle-report.js';
import { TUF_HELP, TUF_OPTIONS, tufRootOf } from './trust-args.js';
import { unloggedHint } from './unlogged-hint.js';

const HELP = `usage: mprov verify-bundle --bundle FILE
         (--certificate-identity ID | --certificate-identity-pattern RE)
         --certificate-oidc-issuer URL [extension options]
       mprov verify-bundle --bundle FILE --key PEM
       [--trusted-root FILE | --tuf-refresh [TUF options]] [--json]
       FILE_OR_DIGEST

Verifies one Sigstore bundle (v0.1 to v0.3, message signature or DSSE)
against an artifact, offline unless --tuf-refresh is given. FILE_OR_DIGEST
is the artifact's path or sha256:<hex>. For DSSE the artifact must be a
subject of the statement.

options:
  --bundle FILE                     the Sigstore bundle (JSON); - reads stdin
  --certificate-identity ID         the signer's exact identity (SAN)
  --certificate-identity-pattern RE a regular expression that must match the
                                    whole identity (always anchored)
  --certificate-oidc-issuer URL     the OIDC issuer, compared exactly
  --source-repository URI           Fulcio extension 1.12, exact
  --source-ref REF                  Fulcio extension 1.14, e.g. refs/heads/main
  --build-signer URI                Fulcio extension 1.9 (the workflow), exact
  --runner-environment ENV          Fulcio extension 1.11, e.g. github-hosted
  --key PEM                         the signer's public key, for key-based
                                    bundles (ECDSA P-256/P-384, Ed25519)
  --allow-unlogged                  with --key: accept a bundle signed
                                    offline, with no log entry or signed
                                    time (the key alone vouches for it)
  --trusted-root FILE               trusted_root.json (default: the embedded
                                    public-good root; never fetched)
  --tuf-refresh                     fetch the trusted root through TUF first
                                    (see mprov trust --help); these options
                                    need it:
${TUF_HELP}
  --json                            print the result as JSON on stdout
  -h, --help                        show this help

exit codes: 0 verified, 1 not verified, 2 usage or input error

examples:
  mprov verify-bundle --bundle a.txt.sigstore.json \\
    --certificate-identity me@example.com \\
    --certificate-oidc-issuer https://accounts.google.com a.txt
  cat a.txt.sigstore.json | mprov verify-bundle --bundle - --key key.pub \\
    --trusted-root trusted_root.json a.txt
  mprov verify-bundle --tuf-refresh --bundle a.txt.sigstore.json \\
    --certificate-identity me@example.com \\
    --certificate-oidc-issuer https://accounts.google.com a.txt
`;

const OPTIONS = {
  bundle: { type: 'string' },
  'certificate-identity': { type: 'string' },
  'certificate-identity-pattern': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'source-repository': { type: 'string' },
  'source-ref': { type: 'string' },
  'build-signer': { type: 'string' },
  'runner-environment': { type: 'string' },
  key: { type: 'string' },
  'trusted-root': { type: 'string' },
  json: { type: 'boolean', default: false },
  'allow-unlogged': { type: 'boolean', default: false },
  'tuf-refresh': { type: 'boolean', default: false },
  ...TUF_OPTIONS,
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseCommandArgs({ args, allowPositionals: true, options: OPTIONS });
}

const usage = (message: string) => new UsageError('USAGE_INVALID', message);

function extensionsOf(values: Values): CertificateExtensions {
  const pairs: [keyof CertificateExtensions, string | undefined][] = [
    ['sourceRepositoryURI', values['source-repository']],
    ['sourceRepositoryRef', values['source-ref']],
    ['buildSignerURI', values['build-signer']],
    ['runnerEnvironment', values['runner-environment']],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined));
}

async function policyOf(values: Values): Promise<BundlePolicy> {
  const identity = values['certificate-identity'];
  const pattern = values['certificate-identity-pattern'];
  const issuer = values['certificate-oidc-issuer'];
  const keyless = identity ?? pattern ?? issuer;
  if ((values.key === undefined) === (keyless === undefined)) {
    throw usage('expected either --key or a certificate identity and issuer');
  }
  if (values.key !== undefined) {
    return { key: await readInput(values.key, 'public key') };
  }
  if ((identity === undefined) === (pattern === undefined) || !issuer) {
    throw usage(
      'expected one of --certificate-identity and --certificate-identity-pattern, and --certificate-oidc-issuer',
    );
  }
  const rule =
    identity === undefined ? { identityPattern: pattern } : { identity };
  return { certificate: { ...rule, issuer, extensions: extensionsOf(values) } };
}

function artifactOf(target: string): ArtifactInput {
  return target.startsWith('sha256:') ? { digest: target } : { path: target };
}

async function rootOf(path: string | undefined) {
  if (path === undefined) {
    return { root: publicGoodRoot(), source: PUBLIC_GOOD_ROOT_SOURCE };
  }
  const text = await readInput(path, 'trusted root');
  let json: unknown;
  try {
    json = parseStrictJson(text);
  } catch (cause) {
    throw new UsageError(
      'USAGE_INPUT_UNREADABLE',
      'trusted root is not strict JSON',
      { cause },
    );
  }
  return { root: loadTrustedRoot(json), source: path };
}

/**
 * The bundle's bytes, read no further than a bundle may be: a larger one
 * is the bundle's failure (`VERIFY_BUNDLE_MALFORMED`, exit 1), as when
 * the library reads it; a file that cannot be read is a usage error.
 */
async function readBundle(path: string): Promise<Buffer> {
  if (path === STDIN) return readStdin('bundle', MAX_BUNDLE_BYTES);
  const read = await readFileBounded(path, MAX_BUNDLE_BYTES, {
    followLink: true,
    allowSpecial: true,
  });
  if (read.ok) return read.bytes;
  if (read.problem === 'too-large') {
    throw new VerifyError(
      'VERIFY_BUNDLE_MALFORMED',
      `expected at most ${MAX_BUNDLE_BYTES} bytes, found ${read.size} or more`,
    );
  }
  throw new UsageError(
    'USAGE_INPUT_UNREADABLE',
    `cannot read bundle ${path}`,
    'cause' in read ? { cause: read.cause } : {},
  );
}

// Errors of the input rather than of the bundle: exit 2, like usage errors.
const INPUT_CODES = new Set([
  'VERIFY_ARTIFACT_INVALID',
  'VERIFY_KEY_INVALID',
  'VERIFY_TRUSTED_ROOT_INVALID',
  'VERIFY_IDENTITY_RULE_INVALID',
]);

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args);
  const [target, ...extra] = positionals;
  if (target === undefined || extra.length > 0) {
    throw usage('expected exactly one FILE_OR_DIGEST');
  }
  if (values.bundle === undefined) throw usage('--bundle is required');
  if (values['allow-unlogged'] && values.key === undefined) {
    throw usage('--allow-unlogged needs --key');
  }
  const policy = await policyOf(values);
  const { root, source } =
    (await tufRootOf(values)) ?? (await rootOf(values['trusted-root']));
  const ref = { digest: root.digest, source };
  let bundle: Uint8Array = new Uint8Array(0);

  try {
    bundle = await readBundle(values.bundle);
    const result = await verifyBundle({
      bundle,
      artifact: artifactOf(target),
      policy,
      trustedRoot: root,
      allowUnlogged: values['allow-unlogged'],
    });
    io.stdout(values.json ? renderJson(result, ref) : renderText(result, ref));
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof VerifyError) || INPUT_CODES.has(error.code)) {
      throw error;
    }
    const hint = unloggedHint(error.code, bundle, {
      keysGiven: values.key !== undefined,
      allowUnlogged: values['allow-unlogged'] === true,
    });
    io.stdout(renderFailure(error, ref, values.json, hint));
    return EXIT.failed;
  }
}

/** `mprov verify-bundle`: verify one Sigstore bundle against an artifact. */
export const verifyBundleCommand: Command = {
  summary: 'verify one Sigstore bundle against a file or digest',
  help: HELP,
  run,
};
