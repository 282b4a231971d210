/**
 * The conventions every command keeps (docs/cli.md): help with an example,
 * no colour or escape sequence in help, and an error as one line on stderr
 * with its code and exit 2.
 */
import { describe, expect, it } from 'vitest';

import { commandsOf } from '../../scripts/gen-cli-docs.js';
import { captureCli as cli } from './capture.js';

const COMMANDS = commandsOf((await cli(['--help'])).stdout).map(([n]) => n);

describe('every mprov command', () => {
  it('is listed by mprov --help', () => {
    expect(COMMANDS).toEqual(
      expect.arrayContaining(['attest', 'verify', 'inspect', 'verify-bundle']),
    );
  });

  it.each(COMMANDS)(
    '%s: --help shows an example and no escapes',
    async (name) => {
      const { code, stdout } = await cli([name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^examples?:$/m);
      expect(stdout).not.toContain('\x1b');
    },
  );

  it.each(COMMANDS)(
    '%s: an unknown option is one line on stderr with its code, exit 2',
    async (name) => {
      const { code, stdout, stderr } = await cli([name, '--no-such-option']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^mprov: error USAGE_INVALID: [^\n]+\n$/);
    },
  );
});
