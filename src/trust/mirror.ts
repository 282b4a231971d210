import { TrustError } from '../errors.js';

function invalid(message: string): TrustError {
  return new TrustError('TRUST_OPTIONS_INVALID', message);
}

/**
 * Checks a TUF mirror URL and returns it without a trailing slash. Only
 * `http:` and `https:` are accepted, without user name, password, query or
 * fragment: a credential would end up in messages and in the cache's name.
 *
 * @throws TrustError `TRUST_OPTIONS_INVALID`; the message does not repeat
 *   the URL, which may hold a secret.
 */
export function checkMirror(mirrorUrl: unknown): string {
  if (typeof mirrorUrl !== 'string' || mirrorUrl === '') {
    throw invalid('expected a TUF mirror URL');
  }
  let url: URL;
  try {
    url = new URL(mirrorUrl);
  } catch {
    throw invalid('expected a TUF mirror URL, found text that is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(
      `expected an http or https mirror URL, found ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('expected a mirror URL without a user name or password');
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalid('expected a mirror URL without a query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
