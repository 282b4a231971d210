const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/** The strings that must never appear: the token and its JWT parts. */
function secretsOf(token: string): string[] {
  const parts = token.split('.').filter((p) => p.length >= 16);
  return [token, ...parts].sort((a, b) => b.length - a.length);
}

function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join(REDACTED), text);
}

function mentions(value: unknown, secrets: string[]): boolean {
  if (typeof value === 'string') return secrets.some((s) => value.includes(s));
  if (!(value instanceof Error)) return false;
  const own = [value.message, value.stack ?? ''];
  return own.some((t) => mentions(t, secrets));
}

function chainMentions(error: unknown, secrets: string[]): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_DEPTH && current !== undefined; depth++) {
    if (mentions(current, secrets)) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

/** A copy of an error chain with the secrets scrubbed from every message. */
function scrubbedCopy(error: unknown, secrets: string[], depth: number): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const cause =
    source.cause !== undefined && depth < MAX_DEPTH
      ? scrubbedCopy(source.cause, secrets, depth + 1)
      : undefined;
  const copy = new Error(scrub(source.message, secrets), { cause });
  copy.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/**
 * Returns `error` unchanged when no message or stack in its cause chain
 * contains the token (or a part of it), else a scrubbed copy of the chain.
 * sigstore-js puts the identity token into some of its error messages.
 */
export function withoutToken(
  error: unknown,
  token: string | undefined,
): unknown {
  if (token === undefined || token.length === 0) return error;
  const secrets = secretsOf(token);
  if (!chainMentions(error, secrets)) return error;
  return scrubbedCopy(error, secrets, 0);
}

/** The message of an error with the token scrubbed, for wrapping. */
export function safeMessage(error: unknown, token: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  return token ? scrub(message, secretsOf(token)) : message;
}
