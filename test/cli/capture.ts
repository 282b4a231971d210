import { runCli } from '../../src/cli/run.js';

/** What one in-process run of `mprov` printed, and its exit code. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mprov` in this process with `args`, capturing both streams. */
export async function captureCli(args: readonly string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/** {@link captureCli} with the arguments spread. */
export function runCaptured(...args: string[]): Promise<Captured> {
  return captureCli(args);
}
