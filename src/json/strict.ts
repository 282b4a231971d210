/**
 * A strict JSON parser for signed documents. `JSON.parse` keeps the last
 * of two equal keys while other parsers keep the first, so two readers of
 * the same signed bytes could see different statements; this parser
 * refuses duplicate keys instead. It also bounds nesting, and stores every
 * key as an own property, so `__proto__` is an ordinary, harmless key.
 * No Node-only imports: it runs in browsers and edge runtimes.
 */

/** Why a document was refused. */
export type StrictJsonReason = 'syntax' | 'duplicate-key' | 'too-deep';

/** Thrown by {@link parseStrictJson}; callers map it to their own codes. */
export class StrictJsonError extends Error {
  constructor(
    readonly reason: StrictJsonReason,
    message: string,
  ) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

// ignoreBOM keeps a byte-order mark in the text, where the parser refuses
// it: RFC 8259 forbids one, and one reader must not strip what another keeps.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const WHITESPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/**
 * Parses `text` as one JSON value (RFC 8259).
 *
 * @param maxDepth - the deepest nesting of arrays and objects allowed.
 * @throws StrictJsonError with reason `syntax`, `duplicate-key` or
 *   `too-deep`.
 */
export function parseStrictJson(text: string, maxDepth = 64): unknown {
  const parser = new Parser(text, maxDepth);
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.at < text.length) parser.fail('unexpected data after the value');
  return value;
}

/**
 * Parses bytes as strict UTF-8 JSON: invalid UTF-8 and a byte-order mark
 * are refused, then as {@link parseStrictJson}.
 *
 * @throws StrictJsonError (reason `syntax` for bad UTF-8), or the same as
 *   {@link parseStrictJson}.
 */
export function parseStrictJsonBytes(
  bytes: Uint8Array,
  maxDepth = 64,
): unknown {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new StrictJsonError('syntax', 'expected UTF-8 text');
  }
  return parseStrictJson(text, maxDepth);
}

class Parser {
  at = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  value(depth: number): unknown {
    this.skipWhitespace();
    const c = this.text[this.at];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return this.string();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.number();
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    if (this.next('}')) return result;
    do {
      this.skipWhitespace();
      if (this.text[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      if (seen.has(key)) {
        throw new StrictJsonError(
          'duplicate-key',
          `duplicate key ${JSON.stringify(key)} at offset ${this.at}`,
        );
      }
      seen.add(key);
      if (!this.next(':')) this.fail('expected ":"');
      Object.defineProperty(result, key, {
        value: this.value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } while (this.next(','));
    if (!this.next('}')) this.fail('expected "," or "}"');
    return result;
  }

  private array(depth: number): unknown[] {
    this.enter(depth);
    const result: unknown[] = [];
    if (this.next(']')) return result;
    do {
      result.push(this.value(depth));
    } while (this.next(','));
    if (!this.next(']')) this.fail('expected "," or "]"');
    return result;
  }

  private string(): string {
    const token = this.match(STRING, 'a string');
    // One well-formed string token: the built-in decoder is exact here.
    return JSON.parse(token) as string;
  }

  private number(): number {
    return Number(this.match(NUMBER, 'a value'));
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) {
      throw new StrictJsonError(
        'too-deep',
        `nesting deeper than ${this.maxDepth} levels`,
      );
    }
    this.at += 1;
  }

  private next(char: string): boolean {
    this.skipWhitespace();
    if (this.text[this.at] !== char) return false;
    this.at += 1;
    return true;
  }

  private match(pattern: RegExp, what: string): string {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found === null) this.fail(`expected ${what}`);
    this.at += found[0].length;
    return found[0];
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  fail(what: string): never {
    throw new StrictJsonError('syntax', `${what} at offset ${this.at}`);
  }
}
