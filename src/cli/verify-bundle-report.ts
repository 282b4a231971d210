/**
 * What `mprov verify-bundle` prints: the verified result, or why a bundle
 * did not verify, as text (escaped: bundles are hostile) or JSON.
 */
import type { VerifyError } from '../errors.js';
import { escapeForTerminal } from '../report/escape.js';
import type { BundleVerification } from '../verify/bundle-result.js';

/** Names the JSON output of this command and its version. */
const FORMAT = 'https://model-provenance.dev/verify-bundle-result/v1';

/** The trusted root a bundle was checked against, and where it came from. */
export interface RootRef {
  digest: string;
  source: string;
}

function signerLines(result: BundleVerification): string[] {
  const { signer } = result;
  if (signer.kind === 'key') return [`  signer:       key ${signer.keyDigest}`];
  return [
    `  signer:       ${signer.identity} (issuer ${signer.issuer})`,
    ...Object.entries(signer.extensions).map(([k, v]) => `    ${k}: ${v}`),
  ];
}

/** The verified result for a terminal; bundle text is escaped. */
export function renderText(result: BundleVerification, root: RootRef): string {
  const subject = result.subject
    ? `, subject ${JSON.stringify(result.subject.name ?? '')} by ${result.subject.algorithm}`
    : '';
  const times =
    result.timestamps
      .map((t) => `${t.time.toISOString()} (${t.source})`)
      .join(', ') || 'no signed time (unlogged)';
  const lines = [
    'verified',
    `  bundle:       v${result.bundleVersion} ${result.content}${subject}`,
    ...signerLines(result),
    `  signed at:    ${times}`,
    `  artifact:     sha256:${result.artifactSha256}`,
    `  trusted root: ${root.digest} (${root.source})`,
  ];
  // Identities, extensions and names come from the bundle: escape them.
  return lines.map((line) => `${escapeForTerminal(line)}\n`).join('');
}

/** The verified result as JSON, without the payload. */
export function renderJson(result: BundleVerification, root: RootRef): string {
  // The payload is in the bundle already; undefined fields are left out.
  const body = {
    format: FORMAT,
    ...result,
    payload: undefined,
    trustedRoot: root,
  };
  return JSON.stringify(body, null, 2) + '\n';
}

/** A bundle that did not verify, as text or JSON. */
export function renderFailure(
  error: VerifyError,
  root: RootRef,
  json: boolean,
  hint?: string,
) {
  if (json) {
    const { code, message } = error;
    const body = {
      format: FORMAT,
      verified: false,
      code,
      message,
      trustedRoot: root,
    };
    return JSON.stringify(body, null, 2) + '\n';
  }
  const lines = [
    `not verified: ${error.code}: ${error.message}`,
    `  trusted root: ${root.digest} (${root.source})`,
    ...(hint ? [`  hint: ${hint}`] : []),
  ];
  return lines.map((line) => `${escapeForTerminal(line)}\n`).join('');
}
