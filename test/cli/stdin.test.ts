import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { readStdin } from '../../src/cli/stdin.js';

const stream = (chunks: (string | Buffer)[], isTTY?: boolean) =>
  Object.assign(Readable.from(chunks), isTTY ? { isTTY } : {});

describe('#readStdin', () => {
  describe('when the stream holds a bundle', () => {
    it('returns every byte', async () => {
      const bytes = await readStdin('bundle', 10, stream(['{"a"', ':1}']));
      expect(bytes.toString()).toBe('{"a":1}');
    });
  });

  describe('when the stream is longer than the limit', () => {
    it('throws USAGE_INPUT_UNREADABLE, naming the limit', async () => {
      const read = readStdin('bundle', 4, stream(['abc', 'def']));
      await expect(read).rejects.toMatchObject({
        code: 'USAGE_INPUT_UNREADABLE',
        message: 'bundle on stdin is larger than 4 bytes',
      });
    });
  });

  describe('when stdin is a terminal or empty', () => {
    it('throws USAGE_INPUT_UNREADABLE instead of waiting', async () => {
      await expect(
        readStdin('bundle', 4, stream(['x'], true)),
      ).rejects.toMatchObject({ code: 'USAGE_INPUT_UNREADABLE' });
      await expect(readStdin('bundle', 4, stream([]))).rejects.toMatchObject({
        code: 'USAGE_INPUT_UNREADABLE',
        message: 'expected the bundle on stdin, found none',
      });
    });
  });
});
