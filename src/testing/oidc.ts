import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

import { json, type RouteResult } from './http.js';

/** The audience Sigstore's Fulcio expects in identity tokens. */
export const SIGSTORE_AUDIENCE = 'sigstore';

const KEY_ID = 'stand-in';
const TOKEN_LIFETIME_SECONDS = 600;

/** True when an identity reads as a URI (`scheme:...`), else an e-mail. */
export function looksLikeUri(identity: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(identity);
}

/**
 * A local OIDC issuer: mints ES256 tokens and checks them. Any issuer URL on
 * the stand-in's own origin is served with the same key, so tests can sign
 * as a second, different issuer; issuers on other origins are refused.
 */
export class OidcIssuer {
  private constructor(
    readonly origin: string,
    readonly issuer: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly jwk: JWK,
  ) {}

  /** Creates an issuer at `${origin}/oidc` with a fresh P-256 key. */
  static async create(origin: string): Promise<OidcIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const issuer = `${origin}/oidc`;
    return new OidcIssuer(origin, issuer, privateKey, publicKey, jwk);
  }

  /** Mints a token whose subject (or e-mail) is `identity`. */
  async mint(identity: string, issuer = this.issuer): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = looksLikeUri(identity)
      ? {}
      : { email: identity, email_verified: true };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: KEY_ID, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(identity)
      .setAudience(SIGSTORE_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now - 60)
      .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
      .sign(this.privateKey);
  }

  /**
   * Checks a token's signature, audience and issuer, and returns its claims.
   * Throws with a message that never contains the token.
   */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, {
      audience: SIGSTORE_AUDIENCE,
      algorithms: ['ES256'],
    });
    if (!this.accepts(payload.iss)) {
      throw new Error('token issuer is not served by this stand-in');
    }
    return payload;
  }

  /** Serves discovery for any issuer on this origin, and the JWKS. */
  route(method: string, path: string): RouteResult | undefined {
    if (method !== 'GET') return undefined;
    if (path === '/oidc/jwks') {
      return json(200, { keys: [{ ...this.jwk, kid: KEY_ID, use: 'sig' }] });
    }
    const suffix = '/.well-known/openid-configuration';
    if (!path.endsWith(suffix)) return undefined;
    const issuer = this.origin + path.slice(0, -suffix.length);
    return json(200, {
      issuer,
      jwks_uri: `${this.origin}/oidc/jwks`,
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
    });
  }

  private accepts(iss: string | undefined): boolean {
    return (
      iss !== undefined &&
      (iss === this.origin || iss.startsWith(`${this.origin}/`))
    );
  }
}
