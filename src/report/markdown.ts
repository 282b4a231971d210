import type { ChainResult } from '../chain/result.js';
import { isKeySigner, signerName } from '../chain/signer.js';

/**
 * Renders a chain verification as Markdown for a ticket: the verdict, the
 * steps, the findings, and the files that are not as the chain says.
 * Attacker-controlled text is escaped so it cannot break the tables or
 * inject markup.
 */
export function renderMarkdown(result: ChainResult): string {
  const verdict = result.verified ? '✅ verified' : '❌ not verified';
  const lines = [
    `## Model provenance: ${verdict}`,
    '',
    `- model: ${code(result.model.path)} (${result.model.files} files, ` +
      `root ${code(`sha256:${result.model.rootDigest}`)})`,
    `- trusted root: ${code(result.trustedRoot)}` +
      (result.trustedRootSource ? ` (${code(result.trustedRootSource)})` : ''),
    '',
    '### Steps',
    '',
    '| # | step | signer | issuer | signed at | attestation |',
    '| - | ---- | ------ | ------ | --------- | ----------- |',
    ...result.steps.map(
      (s, i) =>
        `| ${i + 1} | ${cell(s.kind)} | ${cell(signerName(s.signer))} | ` +
        `${cell(isKeySigner(s.signer) ? 'key' : s.signer.issuer)} | ` +
        `${s.signedAt ?? 'none'} | ${code(s.attestation.slice(0, 12))} |`,
    ),
  ];
  if (result.steps.length === 0) lines.push('| | no verified step | | | | |');
  lines.push('', ...findingsTable(result), ...filesTable(result));
  return lines.join('\n') + '\n';
}

function findingsTable(result: ChainResult): string[] {
  if (result.findings.length === 0) return ['No findings.', ''];
  return [
    '### Findings',
    '',
    '| severity | code | step | signer | file | expected | found | message |',
    '| -------- | ---- | ---- | ------ | ---- | -------- | ----- | ------- |',
    ...result.findings.map(
      (f) =>
        `| ${f.severity} | ${code(f.code)} | ${cell(f.step)} | ` +
        `${cell(f.signer && signerName(f.signer))} | ${cell(f.file)} | ${digest(f.expected)} | ` +
        `${digest(f.actual)} | ${cell(f.message)} |`,
    ),
    '',
  ];
}

function filesTable(result: ChainResult): string[] {
  const notOk = result.files.filter((f) => f.status !== 'ok');
  if (notOk.length === 0) return [];
  return [
    '### Files that differ from the chain',
    '',
    '| file | status | expected | found | made by |',
    '| ---- | ------ | -------- | ----- | ------- |',
    ...notOk.map(
      (f) =>
        `| ${cell(f.name)} | ${f.status} | ${digest(f.expected)} | ` +
        `${digest(f.sha256)} | ${cell(f.producedBy?.kind)} |`,
    ),
    '',
  ];
}

/** A table cell: pipes, markup and line breaks made inert. */
function cell(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`);
}

function code(text: string): string {
  return '`' + text.replace(/[`\u0000-\u001f]/g, '?') + '`';
}

function digest(hex: string | undefined): string {
  return hex === undefined ? '' : code(hex.slice(0, 12));
}
