import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

/** The examples folder of the repository. */
export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** A CI file, parsed strictly (duplicate keys are errors). */
export function loadYaml(path: string): Record<string, unknown> {
  return parse(readFileSync(join(EXAMPLES, path), 'utf8'), {
    uniqueKeys: true,
    prettyErrors: true,
  }) as Record<string, unknown>;
}

/** Every shell script of a GitHub workflow: the `run` of each step. */
export function githubScripts(workflow: Record<string, unknown>): string[] {
  const jobs = workflow.jobs as Record<string, { steps: { run?: string }[] }>;
  return Object.values(jobs).flatMap((job) =>
    job.steps.flatMap((step) => (step.run === undefined ? [] : [step.run])),
  );
}

/** Every script line of a GitLab pipeline: each job's `script` entries. */
export function gitlabScripts(pipeline: Record<string, unknown>): string[] {
  return Object.values(pipeline).flatMap((job) => {
    const script = (job as { script?: unknown }).script;
    return Array.isArray(script) ? (script as string[]) : [];
  });
}

/**
 * The argument lists of every `npx mprov` call in shell scripts: line
 * continuations joined, comments and redirections cut, words split on
 * blanks with double quotes removed. Enough for the examples' own lines,
 * which use no other shell syntax.
 */
export function mprovCalls(scripts: string[]): string[][] {
  const calls: string[][] = [];
  for (const script of scripts) {
    for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
      const at = line.indexOf('npx mprov ');
      if (at < 0) continue;
      const command = line
        .slice(at + 'npx mprov '.length)
        .replace(/\s#.*$/, '')
        .split(/\s(?:>>?|\|)\s/)[0];
      calls.push(
        command
          .trim()
          .split(/\s+/)
          .map((word) => word.replace(/^"(.*)"$/, '$1')),
      );
    }
  }
  return calls;
}

/** The `--options` a call uses. */
export function optionsOf(call: string[]): string[] {
  return call.filter((word) => word.startsWith('--'));
}
