import type { ChainResult, StepReport } from '../chain/result.js';
import type { Finding } from '../chain/findings.js';
import { describeSigner, signerName } from '../chain/signer.js';
import { escapeForTerminal } from './escape.js';

/**
 * Renders a chain verification for a terminal: each step on the path
 * (kind, signer, time, inputs to outputs), then the findings and verdict.
 * Text from signed statements and certificates is escaped, so that it
 * cannot forge a line or drive the terminal.
 */
export function renderText(result: ChainResult): string {
  const lines: string[] = [
    `model ${result.model.path}: ${result.model.files} files, ` +
      `root sha256:${result.model.rootDigest}`,
    `signatures checked against trusted root ${result.trustedRoot}` +
      (result.trustedRootSource ? ` (${result.trustedRootSource})` : ''),
    '',
  ];
  result.steps.forEach((step, i) => lines.push(...renderStep(step, i + 1)));
  const shown = result.findings;
  if (shown.length > 0) {
    lines.push('findings:');
    for (const f of shown) lines.push(...renderFinding(f));
    lines.push('');
  }
  lines.push(
    result.verified
      ? `VERIFIED: ${plural(result.steps.length, 'step')}, every file accounted for`
      : `NOT VERIFIED: ${plural(countErrors(result), 'error finding')}`,
  );
  return lines.map(escapeForTerminal).join('\n') + '\n';
}

function renderStep(step: StepReport, n: number): string[] {
  const from = (s: StepReport['inputs'][number]): string => {
    if (s.from.kind === 'step') return `step ${short(s.from.attestation)}`;
    if (s.from.kind === 'root')
      return `root${s.from.name ? ` ${s.from.name}` : ''}`;
    return 'UNRESOLVED';
  };
  const lines = [
    `${n}. ${step.kind}  [${short(step.attestation)}]`,
    `   signed by ${describeSigner(step.signer)}`,
    `   at ${step.signedAt ?? 'no signed time (unlogged key signature)'}`,
  ];
  for (const input of step.inputs) {
    const role = input.role ? `${input.role}: ` : '';
    lines.push(
      `   in  ${role}${input.name} sha256:${short(input.sha256)} <- ${from(input)}`,
    );
  }
  for (const output of step.outputs) {
    lines.push(`   out ${output.name} sha256:${short(output.sha256)}`);
  }
  lines.push('');
  return lines;
}

function renderFinding(f: Finding): string[] {
  const lines = [`  [${f.severity}] ${f.code}: ${f.message}`];
  const details = [
    f.attestation && `attestation ${short(f.attestation)}`,
    f.step && `step ${f.step}`,
    f.signer && `signer ${signerName(f.signer)}`,
    f.file && `file ${f.file}`,
    f.expected && `expected sha256:${short(f.expected)}`,
    f.actual && `found sha256:${short(f.actual)}`,
  ].filter(Boolean);
  if (details.length > 0) lines.push(`      ${details.join(', ')}`);
  return lines;
}

function countErrors(result: ChainResult): number {
  return result.findings.filter((f) => f.severity === 'error').length;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function short(hex: string): string {
  return hex.length > 16 ? hex.slice(0, 12) : hex;
}
