/**
 * The browser core in a real browser: dist/browser/core.js (from
 * `npm run build`) verifies a chain signed through the stand-in inside
 * headless Chromium, and gets the verdicts the same core gets under Node.
 * Chromium must be installed (scripts/ensure-chromium.sh); when it is not,
 * this fails and says how to install it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChainResult } from '../../src/chain/result.js';
import { loadTrustedRoot, verifyChainInMemory } from '../../src/core/index.js';
import { keyChainFixture, type KeyChainFixture } from '../chain/key-fixture.js';
import {
  changedDigest,
  signChain,
  signKeyChain,
  withBadSignature,
  type ChainInputs,
  type SignedChain,
} from '../core/chain.js';
import { openPage, type Browser } from './chromium.js';
import { servePage, type PageServer } from './server.js';

const BUNDLE = join(
  import.meta.dirname,
  '..',
  '..',
  'dist',
  'browser',
  'core.js',
);
/** Chromium's cold start on a busy two-core machine takes seconds. */
const PAGE_TIMEOUT_MS = 90_000;

interface PageResult {
  ok: boolean;
  error?: string;
  results: Record<string, ChainResult>;
  times: Record<string, number[]>;
  userAgent: string;
}

let chain: SignedChain | undefined;
let keys: KeyChainFixture | undefined;
let server: PageServer | undefined;
let browser: Browser | undefined;
let cases: (ChainInputs & { name: string; repeat: number })[];
let page: PageResult;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) {
    throw new Error('dist/browser/core.js is missing: run npm run build first');
  }
  chain = await signChain();
  const intact = chain.inputs;
  const files = { ...intact.files };
  files['model.safetensors'] = changedDigest(files['model.safetensors'] ?? '');
  const [first = '', ...rest] = intact.bundles;
  cases = [
    { name: 'intact', ...intact, repeat: 5 },
    { name: 'modified', ...intact, files, repeat: 1 },
    {
      name: 'badSignature',
      ...intact,
      bundles: [withBadSignature(first), ...rest],
      repeat: 1,
    },
  ];
  // Key-signed chains: Ed25519 and P-384 signatures through the shim.
  keys = await keyChainFixture();
  for (const type of ['ed25519', 'P-384'] as const) {
    const { inputs } = await signKeyChain(keys, `browser-${type}`, type);
    cases.push({ name: `key-${type}`, ...inputs, repeat: 1 });
  }
  server = await servePage(BUNDLE, cases);
  browser = await openPage(server.url);
  page = (await Promise.race([
    server.result,
    browser.exited,
    timeout(PAGE_TIMEOUT_MS, browser),
  ])) as PageResult;
  if (!page.ok) throw new Error(`the page failed: ${page.error}`);
}, PAGE_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await chain?.fx.close();
  await keys?.close();
});

function timeout(ms: number, b: Browser): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`no result from the page in ${ms} ms:\n${b.log()}`)),
      ms,
    );
    timer.unref();
  });
}

/** The same case verified under Node, by the same core. */
async function inNode(name: string): Promise<ChainResult> {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return verifyChainInMemory({
    bundles: c.bundles,
    files: c.files,
    policy: c.policy,
    trustedRoot: loadTrustedRoot(c.trustedRoot),
    modelName: 'model',
  });
}

const errorCodes = (r: ChainResult | undefined) =>
  (r?.findings ?? []).filter((f) => f.severity === 'error').map((f) => f.code);

describe('model-provenance/core in headless Chromium', () => {
  it('runs in Chromium itself', () => {
    expect(page.userAgent).toMatch(/HeadlessChrome\/\d+/);
  });

  it('verifies the intact chain, naming its steps', async ({ annotate }) => {
    const result = page.results.intact;
    expect(errorCodes(result)).toEqual([]);
    expect(result?.verified).toBe(true);
    expect(result?.steps.map((s) => s.kind)).toEqual([
      'export',
      'quantize',
      'repackage',
    ]);
    expect(result).toEqual(await inNode('intact'));
    await annotate(
      `Chromium, ms per verification: ${format(page.times.intact)}`,
    );
  });

  it('fails a changed file digest with FILE_MODIFIED', async () => {
    const result = page.results.modified;
    expect(result?.verified).toBe(false);
    expect(errorCodes(result)).toEqual(['FILE_MODIFIED']);
    expect(result).toEqual(await inNode('modified'));
  });

  it.each(['ed25519', 'P-384'])(
    'verifies a chain signed with %s keys, naming the keys',
    async (type) => {
      const result = page.results[`key-${type}`];
      expect(errorCodes(result)).toEqual([]);
      expect(result?.verified).toBe(true);
      expect(result?.steps.every((s) => s.signer.keyId !== undefined)).toBe(
        true,
      );
      expect(result).toEqual(await inNode(`key-${type}`));
    },
  );

  it('fails a changed signature with ATTESTATION_UNVERIFIED', async () => {
    const result = page.results.badSignature;
    expect(result?.verified).toBe(false);
    expect(errorCodes(result)).toContain('ATTESTATION_UNVERIFIED');
    expect(result).toEqual(await inNode('badSignature'));
  });
});

function format(times: number[] | undefined): string {
  return (times ?? []).map((t) => t.toFixed(1)).join(', ');
}
