import type { ParseArgsOptionsConfig } from 'node:util';

import type { ChainResult } from '../chain/result.js';
import { verifyChain } from '../chain/verify-chain.js';
import { UsageError } from '../errors.js';
import { loadPolicy } from '../policy/load.js';
import { AttestationStore } from '../store/store.js';
import { loadTrustedRoot } from '../verify/index.js';
import {
  PUBLIC_GOOD_ROOT_SOURCE,
  publicGoodRoot,
} from '../verify/public-good.js';
import { parseCommandArgs, readJson, requiredOption } from './io.js';

/** The options of every command that verifies a chain. */
export const CHAIN_OPTIONS_HELP = `  --policy FILE        the chain policy (YAML or JSON)
  --trusted-root FILE  Sigstore trusted_root.json to check signatures and
                       log entries against (default: the embedded
                       public-good root; a site with its own Rekor gives
                       that instance's root)
  --store DIR          attestation store (default: MODEL/.mprov, or the
                       .mprov beside MODEL when it is a single file)
  --oms-signature FILE also check this OpenSSF Model Signing model.sig: it
                       must be signed by a signer of the last step and name
                       the same bundle digest`;

const CHAIN_OPTIONS = {
  policy: { type: 'string' },
  'trusted-root': { type: 'string' },
  store: { type: 'string' },
  'oms-signature': { type: 'string' },
} satisfies ParseArgsOptionsConfig;

/**
 * Parses `MODEL --policy FILE [--trusted-root FILE] [--store DIR]` plus the
 * command's own options, verifies the chain, and returns the result with
 * the command's option values.
 */
export async function verifyFromArgs<T extends ParseArgsOptionsConfig>(
  args: string[],
  command: string,
  own: T,
) {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: { ...CHAIN_OPTIONS, ...own },
  });
  const [modelPath, ...extra] = positionals;
  if (modelPath === undefined || extra.length > 0) {
    throw new UsageError(
      'USAGE_INVALID',
      `expected exactly one MODEL path (see mprov ${command} --help)`,
    );
  }
  const v = values as Record<string, string | undefined>;
  const policyPath = requiredOption(v.policy, '--policy FILE', command);
  const rootPath = v['trusted-root'];
  // Read bounded; key files it names are read relative to the policy file.
  const policy = await loadPolicy(policyPath);
  // Without a file, the embedded public-good root, as verify-bundle does.
  const trustedRoot =
    rootPath === undefined
      ? publicGoodRoot()
      : loadTrustedRoot(await readJson(rootPath, 'trusted root'));
  const result: ChainResult = await verifyChain({
    modelPath,
    policy,
    trustedRoot,
    trustedRootSource: rootPath ?? PUBLIC_GOOD_ROOT_SOURCE,
    ...(v.store ? { store: new AttestationStore(v.store) } : {}),
    ...(v['oms-signature'] ? { omsSignature: v['oms-signature'] } : {}),
  });
  return { result, values };
}
