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

/** Each step kind: who signs it, and the kinds whose outputs it takes. */
const STEPS: Record<string, { role: Role; after: string[] }> = {
  export: { role: 'export', after: [] },
  quantize: { role: 'quantize', after: ['export'] },
  'adapter-attach': { role: 'finetune', after: ['quantize'] },
  repackage: { role: 'release', after: ['adapter-attach'] },
};

/**
 * The demo's policy document: each step kind required, in order, and
 * signed by its team's identity on the stand-in's issuer; repackage last,
 * naming the release; the upstream files and the fine-tuning team's
 * adapter trusted by digest.
 */
export function demoPolicy(
  issuer: string,
  roots: readonly { name: string; sha256: string }[],
  release: { name: string; version: string },
): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [kind, { role, after }] of Object.entries(STEPS)) {
    steps[kind] = {
      required: true,
      after,
      signers: [{ issuer, identity: IDENTITIES[role] }],
    };
  }
  return {
    version: 1,
    steps,
    final: ['repackage'],
    release,
    roots: roots.map((r) => ({ name: r.name, sha256: r.sha256 })),
  };
}
