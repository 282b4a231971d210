/** The identities of the demo: one per team, and one the policy refuses. */
export const IDENTITIES = {
  export: 'export-pipeline@example.com',
  quantize: 'quantization-job@example.com',
  finetune: 'finetuning-team@example.com',
  release: 'release-pipeline@example.com',
  intruder: 'mallory@example.net',
} as const;

/** A signer of the demo. */
export type Role = keyof typeof IDENTITIES;

const STEP_SIGNERS: Record<string, Role> = {
  export: 'export',
  quantize: 'quantize',
  'adapter-attach': 'finetune',
  repackage: 'release',
};

/**
 * The demo's policy document: each step kind required and signed by its
 * team's identity on the stand-in's issuer; the upstream files and the
 * fine-tuning team's adapter trusted by digest.
 */
export function demoPolicy(
  issuer: string,
  roots: readonly { name: string; sha256: string }[],
): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [kind, role] of Object.entries(STEP_SIGNERS)) {
    steps[kind] = {
      required: true,
      signers: [{ issuer, identity: IDENTITIES[role] }],
    };
  }
  return {
    version: 1,
    steps,
    roots: roots.map((r) => ({ name: r.name, sha256: r.sha256 })),
  };
}
