import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SigningError } from '../../src/errors.js';
import {
  ambientTokenProvider,
  GITHUB_TOKEN_VAR,
  GITHUB_URL_VAR,
  githubActionsTokenProvider,
  keylessSigner,
  TOKEN_ENV_VAR,
} from '../../src/signing/index.js';

const ID_TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJnaXRodWIifQ.c2lnbmF0dXJlLWdo';
const REQUEST_TOKEN = 'ghs_requestTokenThatMustNeverLeak0123456789';

/** Every text an error exposes: messages, stacks and JSON down its causes. */
function exposedText(error: unknown): string {
  const texts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 10; depth++) {
    if (!(e instanceof Error)) {
      texts.push(JSON.stringify(e) ?? typeof e);
      break;
    }
    texts.push(e.message, e.stack ?? '', JSON.stringify(e));
    e = e.cause;
  }
  return texts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<SigningError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigningError);
  const text = exposedText(error);
  expect(text).not.toContain(REQUEST_TOKEN);
  for (const part of ID_TOKEN.split('.')) expect(text).not.toContain(part);
  return error as SigningError;
}

/** A fake GitHub OIDC endpoint; `mode` sets how it answers. */
function fakeGitHub() {
  const seen: { url?: string; auth?: string } = {};
  const state = { mode: 'ok' as 'ok' | 'refuse' | 'echo' | 'no-value' };
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.url = req.url;
    seen.auth = req.headers.authorization;
    const body = {
      ok: JSON.stringify({ value: ID_TOKEN }),
      refuse: `bad request token ${REQUEST_TOKEN}`,
      echo: `no such audience; token was ${ID_TOKEN}`,
      'no-value': JSON.stringify({ count: 1 }),
    }[state.mode];
    res.statusCode =
      state.mode === 'ok' || state.mode === 'no-value' ? 200 : 403;
    res.end(body);
  });
  return { server, seen, state };
}

describe('GitHub Actions token provider', () => {
  const gh = fakeGitHub();
  let env: Record<string, string>;

  beforeAll(async () => {
    await new Promise<void>((resolve) =>
      gh.server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = gh.server.address() as AddressInfo;
    env = {
      [GITHUB_URL_VAR]: `http://127.0.0.1:${port}/token?api-version=2.0`,
      [GITHUB_TOKEN_VAR]: REQUEST_TOKEN,
    };
  });

  afterAll(async () => {
    gh.server.closeAllConnections();
    await new Promise((resolve) => gh.server.close(resolve));
  });

  describe('#githubActionsTokenProvider', () => {
    describe('when the endpoint answers', () => {
      it('returns the token, asked for with audience sigstore', async () => {
        gh.state.mode = 'ok';
        await expect(githubActionsTokenProvider({ env })()).resolves.toBe(
          ID_TOKEN,
        );
        expect(gh.seen.url).toBe('/token?api-version=2.0&audience=sigstore');
        expect(gh.seen.auth).toBe(`bearer ${REQUEST_TOKEN}`);
      });
    });

    describe('when the endpoint refuses and quotes the request token', () => {
      it('throws SIGNING_NO_TOKEN without either token', async () => {
        gh.state.mode = 'refuse';
        const error = await failure(githubActionsTokenProvider({ env })());
        expect(error.code).toBe('SIGNING_NO_TOKEN');
        expect(error.message).toContain('HTTP 403');
      });
    });

    describe('when the endpoint echoes the identity token in an error', () => {
      it('throws SIGNING_NO_TOKEN without it', async () => {
        gh.state.mode = 'echo';
        expect(
          (await failure(githubActionsTokenProvider({ env })())).code,
        ).toBe('SIGNING_NO_TOKEN');
      });
    });

    describe('when the answer has no value', () => {
      it('throws SIGNING_NO_TOKEN', async () => {
        gh.state.mode = 'no-value';
        expect(
          (await failure(githubActionsTokenProvider({ env })())).code,
        ).toBe('SIGNING_NO_TOKEN');
      });
    });

    describe('when the endpoint cannot be reached', () => {
      it('throws SIGNING_NO_TOKEN without the request token', async () => {
        const closed = {
          [GITHUB_URL_VAR]: 'http://127.0.0.1:9/token?api-version=2.0',
          [GITHUB_TOKEN_VAR]: REQUEST_TOKEN,
        };
        const error = await failure(
          githubActionsTokenProvider({ env: closed })(),
        );
        expect(error.code).toBe('SIGNING_NO_TOKEN');
      });
    });

    describe('when the variables are unset', () => {
      it('throws SIGNING_NO_TOKEN naming them', async () => {
        const error = await failure(githubActionsTokenProvider({ env: {} })());
        expect(error.message).toContain(GITHUB_URL_VAR);
      });
    });
  });

  describe('#ambientTokenProvider', () => {
    describe('when the GitHub variables are set', () => {
      it('asks GitHub, even with SIGSTORE_ID_TOKEN set', async () => {
        gh.state.mode = 'ok';
        const both = { ...env, [TOKEN_ENV_VAR]: 'a.b.c' };
        await expect(ambientTokenProvider({ env: both })()).resolves.toBe(
          ID_TOKEN,
        );
      });
    });

    describe('when only SIGSTORE_ID_TOKEN is set (GitLab CI, other CI)', () => {
      it('returns it', async () => {
        const only = { [TOKEN_ENV_VAR]: ` ${ID_TOKEN}\n` };
        await expect(ambientTokenProvider({ env: only })()).resolves.toBe(
          ID_TOKEN,
        );
      });
    });

    describe('when nothing is set', () => {
      it('throws SIGNING_NO_TOKEN naming every source', async () => {
        const error = await failure(ambientTokenProvider({ env: {} })());
        expect(error.code).toBe('SIGNING_NO_TOKEN');
        expect(error.message).toContain(TOKEN_ENV_VAR);
        expect(error.message).toContain(GITHUB_URL_VAR);
      });
    });
  });

  describe('#keylessSigner with the GitHub provider', () => {
    describe('when Fulcio cannot be reached', () => {
      it('throws SIGNING_FAILED without either token', async () => {
        gh.state.mode = 'ok';
        const signer = keylessSigner({
          fulcioURL: 'http://127.0.0.1:9',
          rekorURL: 'http://127.0.0.1:9',
          tokenProvider: githubActionsTokenProvider({ env }),
        });
        const error = await failure(
          signer.signDsse(Buffer.from('{}'), 'application/vnd.in-toto+json'),
        );
        expect(error.code).toBe('SIGNING_FAILED');
      });
    });
  });
});
