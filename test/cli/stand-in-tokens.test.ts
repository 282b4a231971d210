/**
 * The stand-in's token renewal, without waiting: the timer is a schedule
 * the test drives, or vitest's fake timers, and the clock is set by hand.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeJwt } from 'jose';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from 'vitest';

import {
  renewTokens,
  TOKEN_RENEW_MS,
  writeTokenFile,
  type Schedule,
} from '../../src/cli/stand-in-tokens.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-tokens-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

/** A schedule that records its tick and whether it was cancelled. */
function manualSchedule() {
  const state = {
    tick: undefined as (() => Promise<void>) | undefined,
    ms: 0,
    cancelled: false,
  };
  const schedule: Schedule = (tick, ms) => {
    state.tick = tick;
    state.ms = ms;
    return () => {
      state.cancelled = true;
    };
  };
  const tick = async () => {
    if (!state.tick) throw new Error('expected a scheduled tick');
    await state.tick();
  };
  return { schedule, state, tick };
}

/** A folder with one token file per identity, holding `old`. */
async function tokenFiles(sub: string, ids: string[]) {
  await mkdir(join(dir, sub), { recursive: true });
  const files = new Map(ids.map((id) => [id, join(dir, sub, `${id}.jwt`)]));
  for (const file of files.values()) await writeTokenFile(file, 'old');
  return files;
}

const read = (file: string | undefined) => readFile(file ?? '', 'utf8');

describe('#renewTokens', () => {
  it('renews well before a ten-minute token expires', () => {
    expect(TOKEN_RENEW_MS).toBeLessThanOrEqual((10 * 60 * 1000) / 2);
  });

  describe('when its timer fires', () => {
    it('rewrites every token file whole, owner-only, nothing left beside', async () => {
      const files = await tokenFiles('tick', [
        'a@example.com',
        'b@example.com',
      ]);
      const { schedule, state, tick } = manualSchedule();
      let n = 0;
      const renewal = renewTokens({
        files,
        mint: (id) => Promise.resolve(`${id}-${++n}`),
        schedule,
      });
      expect(state.ms).toBe(TOKEN_RENEW_MS);
      expect(await read(files.get('a@example.com'))).toBe('old\n');
      await tick();
      expect(await read(files.get('a@example.com'))).toBe('a@example.com-1\n');
      expect(await read(files.get('b@example.com'))).toBe('b@example.com-2\n');
      await tick();
      expect(await read(files.get('a@example.com'))).toBe('a@example.com-3\n');
      for (const file of files.values()) {
        expect((await stat(file)).mode & 0o777).toBe(0o600);
      }
      expect((await readdir(join(dir, 'tick'))).sort()).toEqual([
        'a@example.com.jwt',
        'b@example.com.jwt',
      ]);
      await renewal.stop();
    });

    it("writes the stand-in's tokens, each valid ten minutes from then", async () => {
      const standIn: StandIn = await startStandIn();
      try {
        const files = await tokenFiles('clock', ['me@example.com']);
        const { schedule, tick } = manualSchedule();
        const renewal = renewTokens({
          files,
          mint: (id) => standIn.mintToken(id),
          schedule,
        });
        vi.useFakeTimers({ toFake: ['Date'] });
        const later = Date.now() + 9 * 60 * 1000;
        vi.setSystemTime(later);
        await tick();
        const claims = decodeJwt(
          (await read(files.get('me@example.com'))).trim(),
        );
        expect(claims.sub).toBe('me@example.com');
        expect(claims.iat).toBe(Math.floor(later / 1000));
        expect(claims.exp).toBe(Math.floor(later / 1000) + 600);
        await renewal.stop();
      } finally {
        await standIn.close();
      }
    });

    it('reports a token it cannot write and renews the others', async () => {
      const files = await tokenFiles('partial', ['ok@example.com']);
      const gone = new Map([
        ['gone@example.com', join(dir, 'no-such-folder', 'gone.jwt')],
        ...files,
      ]);
      const { schedule, tick } = manualSchedule();
      const failed: [string, unknown][] = [];
      const renewal = renewTokens({
        files: gone,
        mint: (id) => Promise.resolve(`new-${id}`),
        schedule,
        onError: (id, error) => failed.push([id, error]),
      });
      await tick();
      expect(failed.map(([id]) => id)).toEqual(['gone@example.com']);
      expect(failed[0]?.[1]).toMatchObject({ code: 'ENOENT' });
      expect(await read(files.get('ok@example.com'))).toBe(
        'new-ok@example.com\n',
      );
      await renewal.stop();
    });
  });

  describe('when stopped', () => {
    it('cancels the timer, lets a renewal under way finish, then writes no more', async () => {
      const files = await tokenFiles('stop', ['s@example.com']);
      const { schedule, state, tick } = manualSchedule();
      let release: (token: string) => void = () => undefined;
      const mint = vi.fn(
        () => new Promise<string>((resolve) => (release = resolve)),
      );
      const renewal = renewTokens({ files, mint, schedule });
      const underWay = tick();
      await vi.waitFor(() => expect(mint).toHaveBeenCalledTimes(1));
      const stopping = renewal.stop();
      expect(state.cancelled).toBe(true);
      release('last');
      await Promise.all([underWay, stopping]);
      expect(await read(files.get('s@example.com'))).toBe('last\n');
      await tick();
      await renewal.renew();
      expect(mint).toHaveBeenCalledTimes(1);
      expect(await read(files.get('s@example.com'))).toBe('last\n');
    });

    it('clears its setInterval timer by default', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const files = await tokenFiles('interval', ['i@example.com']);
      const mint = vi.fn((id: string) => Promise.resolve(`new-${id}`));
      const renewal = renewTokens({ files, mint });
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(TOKEN_RENEW_MS - 1);
      expect(mint).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      await vi.waitFor(() => expect(mint).toHaveBeenCalledTimes(1));
      await renewal.stop();
      expect(vi.getTimerCount()).toBe(0);
      expect(await read(files.get('i@example.com'))).toBe(
        'new-i@example.com\n',
      );
    });
  });
});
