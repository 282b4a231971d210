import { describe, expect, it } from 'vitest';

import { escapeForTerminal } from '../../src/report/escape.js';

describe('#escapeForTerminal', () => {
  it('returns ordinary text unchanged', () => {
    const text = 'model.safetensors é 模型 release@example.com';
    expect(escapeForTerminal(text)).toBe(text);
  });

  it.each([
    ['an escape sequence', 'a\u001b[2Jb', 'a\\u{1b}[2Jb'],
    ['a line break', 'x\nVERIFIED', 'x\\u{a}VERIFIED'],
    ['a carriage return', 'ok\rFAIL', 'ok\\u{d}FAIL'],
    ['a C1 control', 'a\u009bb', 'a\\u{9b}b'],
    ['a bidi override', 'evil\u202etxt.exe', 'evil\\u{202e}txt.exe'],
    ['a zero-width space', 'mod\u200bel', 'mod\\u{200b}el'],
  ])('makes %s visible', (_name, input, output) => {
    expect(escapeForTerminal(input)).toBe(output);
  });
});
