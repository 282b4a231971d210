/**
 * The README.md model card of a release bundle: plain Markdown, no dates,
 * so that it is the same bytes for the same inputs.
 */
import { sourcePackageOf } from './export.js';
import { isRecord } from './files.js';

/** What the caller says about a release. */
export interface ModelCard {
  name: string;
  version: string;
  steps: string[];
}

/**
 * Render the model card.
 *
 * @param card - Name, version and steps of the release.
 * @param config - The bundle's config.json.
 * @param labels - The class labels, if any.
 * @param files - The bundle's other files, for the table of sizes.
 */
export function modelCard(
  card: ModelCard,
  config: Record<string, unknown>,
  labels: readonly string[] | undefined,
  files: readonly { rel: string; bytes: Uint8Array }[],
): string {
  const pkg = sourcePackageOf(config);
  const arch = show(config['architecture']);
  const lines = [
    `# ${card.name} ${card.version}`,
    '',
    `The \`${arch}\` weights${pkg ? ` of ${pkg.name} ${pkg.version}` : ''},` +
      ' transformed and packaged step by step with signed provenance.',
    '',
    '## Source',
    '',
    `- Package: ${pkg ? `${pkg.name} ${pkg.version} (npm)` : 'unknown'}`,
    `- License of the weights: ${pkg ? pkg.license : 'unknown'}`,
    `- Source format: ${sourceFormat(config)}`,
    '',
    '## Steps applied',
    '',
    ...card.steps.map((step, i) => `${i + 1}. ${step}`),
    '',
    '## Model',
    '',
    ...modelFacts(config, labels),
    '',
    '## Files',
    '',
    '| File | Bytes |',
    '| --- | ---: |',
    ...files.map((f) => `| ${f.rel} | ${f.bytes.length} |`),
    '',
  ];
  return lines.join('\n');
}

function sourceFormat(config: Record<string, unknown>): string {
  const source = config['source'];
  if (!isRecord(source)) return 'unknown';
  const format = show(source['format']);
  const manifest = source['manifest'];
  return typeof manifest === 'string' ? `${format} (${manifest})` : format;
}

function modelFacts(
  config: Record<string, unknown>,
  labels: readonly string[] | undefined,
): string[] {
  const quant = isRecord(config['quantization'])
    ? config['quantization']
    : undefined;
  const adapter = isRecord(config['adapter']) ? config['adapter'] : undefined;
  return [
    `- Tensors: ${show(config['tensor_count'])}`,
    `- Parameters: ${show(config['parameter_count'])}`,
    `- Weights: ${quant ? show(quant['scheme']) : show(config['dtype'])}`,
    adapter
      ? `- Adapter: ${show(adapter['type'])} on ` +
        `\`${show(adapter['target'])}\`, rank ${show(adapter['rank'])}, ` +
        `alpha ${show(adapter['alpha'])}, ${show(adapter['mode'])}`
      : '- Adapter: none',
    `- Labels: ${labels ? labels.join(', ') : 'not applicable'}`,
    '- Tokenizer: not applicable (an image model)',
  ];
}

/** A JSON scalar as text; anything else as "unknown". */
function show(value: unknown): string {
  const scalar =
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean';
  return scalar ? String(value) : 'unknown';
}
