import { SigningError } from '../errors.js';

/** The variables a GitHub Actions job with `id-token: write` receives. */
export const GITHUB_URL_VAR = 'ACTIONS_ID_TOKEN_REQUEST_URL';
export const GITHUB_TOKEN_VAR = 'ACTIONS_ID_TOKEN_REQUEST_TOKEN';

/** Per-request timeout for the token request. */
const TIMEOUT_MS = 30_000;

/** Where {@link githubActionsTokenProvider} asks for a token. */
export interface GitHubTokenSource {
  /** Environment to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** The token's audience; Fulcio expects `sigstore` (the default). */
  audience?: string;
}

const noToken = (message: string, cause?: unknown) =>
  new SigningError('SIGNING_NO_TOKEN', message, { cause });

function requestURL(raw: string, audience: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw noToken(`expected ${GITHUB_URL_VAR} to be a URL`);
  }
  url.searchParams.set('audience', audience);
  return url;
}

/** The JSON `{ value }` GitHub answers with; nothing of it is quoted. */
async function readValue(response: Response): Promise<string> {
  if (!response.ok) {
    // The body is not quoted: a misbehaving server could echo the secret.
    throw noToken(
      `GitHub Actions OIDC request failed: HTTP ${response.status}`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw noToken('GitHub Actions OIDC response is not JSON');
  }
  const value = (body as { value?: unknown } | null)?.value;
  if (typeof value !== 'string' || value.length === 0) {
    throw noToken('expected a "value" string in the GitHub OIDC response');
  }
  return value;
}

async function request(url: URL, requestToken: string): Promise<Response> {
  try {
    return await fetch(url, {
      headers: {
        authorization: `bearer ${requestToken}`,
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    // fetch's errors name the URL and the network failure, not headers.
    throw noToken(`no answer from the GitHub Actions OIDC endpoint`, error);
  }
}

/**
 * A token provider for GitHub Actions: asks the job's OIDC endpoint
 * (`ACTIONS_ID_TOKEN_REQUEST_URL`, authorized by
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN`) for a token with audience `sigstore`.
 * The job needs `permissions: id-token: write`. Neither the request token
 * nor the identity token appears in any error.
 *
 * @throws SigningError `SIGNING_NO_TOKEN` (from the returned function) when
 *   the variables are unset or the endpoint refuses.
 * @example
 * ```ts
 * const signer = keylessSigner({ fulcioURL, rekorURL,
 *   tokenProvider: githubActionsTokenProvider() });
 * ```
 */
export function githubActionsTokenProvider(
  source: GitHubTokenSource = {},
): () => Promise<string> {
  return async () => {
    const env = source.env ?? process.env;
    const raw = env[GITHUB_URL_VAR];
    const requestToken = env[GITHUB_TOKEN_VAR];
    if (!raw || !requestToken) {
      throw noToken(
        `expected ${GITHUB_URL_VAR} and ${GITHUB_TOKEN_VAR}: give the job id-token: write permission`,
      );
    }
    const url = requestURL(raw, source.audience ?? 'sigstore');
    return readValue(await request(url, requestToken));
  };
}

/** True when the environment is a GitHub Actions job that may get a token. */
export function inGitHubActions(
  env: Record<string, string | undefined>,
): boolean {
  return Boolean(env[GITHUB_URL_VAR] && env[GITHUB_TOKEN_VAR]);
}
