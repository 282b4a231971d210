// Runs in Chromium: verifies each case the server gives with the browser
// bundle of model-provenance/core, then posts the results back.
import { loadTrustedRoot, verifyChainInMemory } from '/core.js';

async function verify(c) {
  const start = performance.now();
  const result = await verifyChainInMemory({
    bundles: c.bundles,
    files: c.files,
    policy: c.policy,
    trustedRoot: loadTrustedRoot(c.trustedRoot),
    modelName: 'model',
  });
  return { result, ms: performance.now() - start };
}

async function run() {
  const cases = await (await fetch('/cases.json')).json();
  const results = {};
  const times = {};
  for (const c of cases) {
    const runs = [];
    for (let i = 0; i < c.repeat; i++) runs.push(await verify(c));
    results[c.name] = runs[0].result;
    times[c.name] = runs.map((r) => r.ms);
  }
  document.getElementById('out').textContent = JSON.stringify(results, null, 2);
  return { ok: true, results, times, userAgent: navigator.userAgent };
}

const body = await run().catch((e) => ({
  ok: false,
  error: String(e?.stack ?? e),
}));
await fetch('/result', { method: 'POST', body: JSON.stringify(body) });
