/**
 * Audits every model folder under a tree: verifies each one's chain against
 * one policy and trusted root, and writes a JSON summary.
 *
 *   node examples/audit-tree.ts TREE --policy FILE --trusted-root FILE \
 *     [--out summary.json]
 *
 * A model folder is one that holds an attestation store (`.mprov/`); the
 * walk does not descend into it further. Exit 0 when every model verified,
 * 1 when any did not (or none was found), 2 on bad usage. The tests call
 * {@link auditTree} on trees they sign with the local stand-in.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import {
  loadPolicy,
  loadTrustedRoot,
  ProvenanceError,
  signerName,
  verifyChain,
  type Policy,
  type TrustedRootHandle,
} from 'model-provenance';

/** One model's line in the summary. */
export interface ModelAudit {
  /** The folder, relative to the tree, POSIX separators. */
  path: string;
  verified: boolean;
  /** The bundle's root digest, when it could be hashed. */
  rootDigest?: string;
  /** Who signed which step, for the steps that were found. */
  /** `signer` is the identity, or the key id of a key-signed step;
   * `signedAt` is absent for an unlogged key-signed step. */
  steps: { kind: string; signer: string; signedAt?: string }[];
  /** Stable codes with their messages; empty when verified. */
  findings: { code: string; message: string }[];
}

/** The summary written by {@link auditTree}. */
export interface AuditSummary {
  format: 'https://model-provenance.dev/examples/audit-tree/v1';
  auditedAt: string;
  trustedRoot: string;
  totals: { models: number; verified: number; failed: number };
  models: ModelAudit[];
}

/** Folders never searched for models. */
const SKIP = new Set(['.mprov', '.git', 'node_modules']);

/**
 * Every folder under `tree` (itself included) that holds a `.mprov` store,
 * sorted. Links are not followed.
 */
export async function findModels(tree: string): Promise<string[]> {
  const entries = await readdir(tree, { withFileTypes: true });
  if (entries.some((e) => e.isDirectory() && e.name === '.mprov')) {
    return [tree];
  }
  const found: string[] = [];
  for (const e of entries) {
    if (e.isDirectory() && !SKIP.has(e.name)) {
      found.push(...(await findModels(join(tree, e.name))));
    }
  }
  return found.sort();
}

async function auditOne(
  tree: string,
  modelPath: string,
  policy: Policy,
  trustedRoot: TrustedRootHandle,
): Promise<ModelAudit> {
  const path = relative(tree, modelPath).split('\\').join('/') || '.';
  try {
    const result = await verifyChain({ modelPath, policy, trustedRoot });
    return {
      path,
      verified: result.verified,
      rootDigest: result.model.rootDigest,
      steps: result.steps.map((s) => ({
        kind: s.kind,
        signer: signerName(s.signer),
        ...(s.signedAt && { signedAt: s.signedAt }),
      })),
      findings: result.findings.map(({ code, message }) => ({
        code,
        message,
      })),
    };
  } catch (error) {
    // An unreadable model is a failed audit of that model, not of the tree.
    if (!(error instanceof ProvenanceError)) throw error;
    const finding = { code: String(error.code), message: error.message };
    return { path, verified: false, steps: [], findings: [finding] };
  }
}

/**
 * Verifies every model folder under `tree` and returns the summary; writes
 * it as JSON to `out` when given.
 *
 * @throws Error when the tree cannot be read.
 */
export async function auditTree(options: {
  tree: string;
  policy: Policy;
  trustedRoot: TrustedRootHandle;
  out?: string;
}): Promise<AuditSummary> {
  const { tree, policy, trustedRoot } = options;
  const models: ModelAudit[] = [];
  for (const model of await findModels(tree)) {
    models.push(await auditOne(tree, model, policy, trustedRoot));
  }
  const verified = models.filter((m) => m.verified).length;
  const summary: AuditSummary = {
    format: 'https://model-provenance.dev/examples/audit-tree/v1',
    auditedAt: new Date().toISOString(),
    trustedRoot: trustedRoot.digest,
    totals: {
      models: models.length,
      verified,
      failed: models.length - verified,
    },
    models,
  };
  if (options.out !== undefined) {
    await writeFile(options.out, JSON.stringify(summary, null, 2) + '\n');
  }
  return summary;
}

/**
 * The command line.
 *
 * @returns 0 every model verified, 1 some did not or none found, 2 usage.
 */
export async function main(argv: string[]): Promise<number> {
  let values;
  let tree: string | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        policy: { type: 'string' },
        'trusted-root': { type: 'string' },
        out: { type: 'string' },
      },
    });
    values = parsed.values;
    tree = parsed.positionals[0];
  } catch {
    values = undefined;
  }
  const rootPath = values?.['trusted-root'];
  if (!tree || !values?.policy || !rootPath) {
    console.error(
      'usage: audit-tree TREE --policy FILE --trusted-root FILE [--out FILE]',
    );
    return 2;
  }
  const summary = await auditTree({
    tree,
    // loadPolicy reads the key files a policy names, beside it.
    policy: await loadPolicy(values.policy),
    trustedRoot: loadTrustedRoot(
      JSON.parse(await readFile(rootPath, 'utf8')) as unknown,
    ),
    ...(values.out ? { out: values.out } : {}),
  });
  const { models, verified, failed } = summary.totals;
  console.log(`${models} model(s): ${verified} verified, ${failed} failed`);
  for (const m of summary.models.filter((x) => !x.verified)) {
    console.log(`  ${m.path}: ${m.findings.map((f) => f.code).join(', ')}`);
  }
  return models > 0 && failed === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
