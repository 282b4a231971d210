/**
 * A model loader that hands a runtime credential only to a verified model.
 *
 *   node examples/model-loader.js MODEL_DIR POLICY TRUSTED_ROOT
 *
 * (After `npm run build`, run it with `npx tsx` or compile it; the tests
 * import `loadModelWithCredential` directly.) Exit 0 when the credential is
 * released, 1 when the model is refused.
 */
import { readFile } from 'node:fs/promises';

import {
  ChainNotVerifiedError,
  loadTrustedRoot,
  parsePolicy,
  requireVerifiedModel,
} from 'model-provenance';

/** What the loader gives the runtime once the model is verified. */
export interface LoadedModel {
  rootDigest: string;
  files: string[];
  credential: string;
}

/**
 * Verifies `modelDir` against the policy, and only then asks
 * `issueCredential` for the credential the model's runtime will use (an
 * API key, a token for the agent's tools). A refused model never gets one.
 */
export async function loadModelWithCredential(
  modelDir: string,
  policyPath: string,
  trustedRootPath: string,
  issueCredential: (rootDigest: string) => Promise<string>,
): Promise<LoadedModel> {
  const policy = parsePolicy(await readFile(policyPath, 'utf8'));
  const trustedRoot = loadTrustedRoot(
    JSON.parse(await readFile(trustedRootPath, 'utf8')) as unknown,
  );
  const { manifest } = await requireVerifiedModel({
    modelPath: modelDir,
    policy,
    trustedRoot,
  });
  // Bind the credential to the exact bundle that was verified.
  const credential = await issueCredential(manifest.rootDigest);
  return {
    rootDigest: manifest.rootDigest,
    files: manifest.entries.map((e) => e.path),
    credential,
  };
}

async function main(argv: string[]): Promise<number> {
  const [modelDir, policyPath, rootPath] = argv;
  if (!modelDir || !policyPath || !rootPath) {
    console.error('usage: model-loader MODEL_DIR POLICY TRUSTED_ROOT');
    return 2;
  }
  try {
    const loaded = await loadModelWithCredential(
      modelDir,
      policyPath,
      rootPath,
      (digest) => Promise.resolve(`demo-credential-for-${digest.slice(0, 12)}`),
    );
    console.log(`verified sha256:${loaded.rootDigest}: credential released`);
    return 0;
  } catch (error) {
    if (!(error instanceof ChainNotVerifiedError)) throw error;
    console.error(`refused: ${error.message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
