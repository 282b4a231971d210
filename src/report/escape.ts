/**
 * Characters that must not reach a terminal raw from attacker-controlled
 * text: C0 and C1 controls (escape sequences, line breaks that forge report
 * lines), DEL, and the bidirectional and zero-width formatting characters
 * that make text display other than it reads.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * Makes one line of text safe to print: every unsafe character becomes a
 * visible `\u{…}` escape, so nothing an attacker signs can move the cursor,
 * clear the screen or print a forged line.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(
    UNSAFE,
    (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
  );
}
