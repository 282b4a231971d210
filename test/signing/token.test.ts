import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SigningError } from '../../src/errors.js';
import { TOKEN_ENV_VAR, tokenProvider } from '../../src/signing/index.js';

const SECRET = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigningError);
  return (error as SigningError).code;
}

describe('#tokenProvider', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mprov-token-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when SIGSTORE_ID_TOKEN is set', () => {
    it('returns it, trimmed', async () => {
      const read = tokenProvider({ env: { [TOKEN_ENV_VAR]: ` ${SECRET}\n` } });
      await expect(read()).resolves.toBe(SECRET);
    });
  });

  describe('when only a token file is given', () => {
    it('returns the file content, trimmed', async () => {
      const file = join(dir, 'token');
      await writeFile(file, `${SECRET}\n`);
      await expect(tokenProvider({ env: {}, file })()).resolves.toBe(SECRET);
    });

    it('throws SIGNING_NO_TOKEN for an empty file', async () => {
      const file = join(dir, 'empty');
      await writeFile(file, '\n');
      expect(await codeOf(tokenProvider({ env: {}, file })())).toBe(
        'SIGNING_NO_TOKEN',
      );
    });

    it('throws SIGNING_NO_TOKEN for a missing file', async () => {
      const file = join(dir, 'missing');
      expect(await codeOf(tokenProvider({ env: {}, file })())).toBe(
        'SIGNING_NO_TOKEN',
      );
    });

    it('throws SIGNING_NO_TOKEN for an oversized file, without its content', async () => {
      const file = join(dir, 'huge');
      await writeFile(file, SECRET.repeat(2000));
      const error: unknown = await tokenProvider({ env: {}, file })().catch(
        (e: unknown) => e,
      );
      expect((error as SigningError).code).toBe('SIGNING_NO_TOKEN');
      expect((error as Error).message).not.toContain(SECRET);
    });
  });

  describe('when neither source holds a token', () => {
    it('throws SIGNING_NO_TOKEN', async () => {
      expect(await codeOf(tokenProvider({ env: {} })())).toBe(
        'SIGNING_NO_TOKEN',
      );
    });
  });
});
