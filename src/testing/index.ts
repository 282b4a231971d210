/**
 * A local Sigstore stand-in for tests: an OIDC issuer, Fulcio, Rekor (v1 and
 * v2 APIs) and a timestamp authority on one HTTP server bound to 127.0.0.1,
 * with a trusted root built from this run's keys. Nothing here contacts another host.
 *
 * @packageDocumentation
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import { initializeCTLog } from '@sigstore/mock/dist/fulcio/ctlog.js';
import { initializeTLog } from '@sigstore/mock/dist/rekor/tlog.js';
import { initializeTSA } from '@sigstore/mock/dist/timestamp/tsa.js';

import { spkiDer, StandInCA } from './ca.js';
import { fulcioRoute } from './fulcio.js';
import { BodyTooLargeError, fail, readBody, send } from './http.js';
import type { RouteResult } from './http.js';
import { OidcIssuer } from './oidc.js';
import { rekorRoute } from './rekor.js';
import { rekorV2Route } from './rekor-v2.js';
import { buildTrustedRoot } from './trusted-root.js';
import { tsaRoute } from './tsa.js';

/** A running stand-in. Close it when done. */
export interface StandIn {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /**
   * Fulcio, Rekor and TSA base URLs (all equal to {@link StandIn.url}). Rekor
   * answers both `/api/v1/log/entries` and `/api/v2/log/entries`.
   */
  readonly fulcioURL: string;
  readonly rekorURL: string;
  readonly tsaURL: string;
  /** The OIDC issuer URL the stand-in serves and Fulcio trusts. */
  readonly issuer: string;
  /**
   * `trusted_root.json` content built from this run's keys; every authority
   * is valid from a minute before start.
   */
  readonly trustedRoot: unknown;
  /**
   * Mints an ES256 identity token with audience `sigstore`. An identity that
   * starts with a URI scheme becomes a URI SAN, anything else an e-mail SAN.
   * `opts.issuer` sets another issuer: one on the stand-in's own origin (such
   * as `${url}/other`) is accepted by its Fulcio, any other is refused.
   */
  mintToken(identity: string, opts?: { issuer?: string }): Promise<string>;
  /** Stops the server and drops kept-alive connections. */
  close(): Promise<void>;
}

type Route = (body: string) => Promise<RouteResult>;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

const toBuffer = (view: ArrayBufferView): Buffer =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength);

const ecKeys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

interface Services {
  oidc: OidcIssuer;
  routes: Map<string, Route>;
  trustedRoot: unknown;
}

async function buildServices(url: string, validFrom: Date): Promise<Services> {
  const ct = ecKeys();
  const rekor = ecKeys();
  const tsaKeys = ecKeys();
  const clock = new Date();
  const ca = await StandInCA.create(await initializeCTLog(ct), validFrom);
  const tlog = await initializeTLog(url, rekor);
  const tsa = await initializeTSA(tsaKeys, clock);
  const oidc = await OidcIssuer.create(url);
  const routes = new Map<string, Route>([
    ['/api/v2/signingCert', fulcioRoute(ca, oidc)],
    ['/api/v1/log/entries', rekorRoute(tlog)],
    ['/api/v2/log/entries', rekorV2Route(tlog)],
    ['/api/v1/timestamp', tsaRoute(tsa, clock)],
  ]);
  const trustedRoot = buildTrustedRoot({
    url,
    caRoot: ca.rootCertificate,
    rekorKey: spkiDer(rekor.publicKey),
    ctKey: spkiDer(ct.publicKey),
    tsaChain: [toBuffer(tsa.intCertificate), toBuffer(tsa.rootCertificate)],
    validFrom,
  });
  return { oidc, routes, trustedRoot };
}

async function handle(
  req: IncomingMessage,
  services: Services | undefined,
): Promise<RouteResult> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const method = req.method ?? 'GET';
  if (!services) return fail(503, 'starting');
  const oidc = services.oidc.route(method, path);
  if (oidc) return oidc;
  const route = services.routes.get(path);
  if (!route || method !== 'POST') return fail(404, 'not found');
  try {
    return await route(await readBody(req));
  } catch (error) {
    if (error instanceof BodyTooLargeError) return fail(413, error.message);
    return fail(500, 'internal error');
  }
}

/**
 * Starts a stand-in on an ephemeral port of 127.0.0.1.
 *
 * @example
 * ```ts
 * const sigstore = await startStandIn();
 * const token = await sigstore.mintToken('ci@example.com');
 * // sign with sigstore.fulcioURL / rekorURL / tsaURL, verify with
 * // sigstore.trustedRoot, then:
 * await sigstore.close();
 * ```
 * Both Rekor APIs are always served; `rekorVersion` only states what the
 * caller means to use, and must be 1 or 2.
 *
 * @throws RangeError for a Rekor version other than 1 or 2.
 */
export async function startStandIn(
  opts: { rekorVersion?: 1 | 2 } = {},
): Promise<StandIn> {
  const version: unknown = opts.rekorVersion ?? 1;
  if (version !== 1 && version !== 2) {
    throw new RangeError('the stand-in serves Rekor v1 and v2 only');
  }
  // Requests cannot arrive before the URL is known, but the handler must
  // exist before listening, so it reads the services through this holder.
  const state: { services?: Services } = {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, state.services).then((result) => send(res, result));
  });
  // Idle connections outlive the clients' own idle timeouts, so that no
  // client reuses a socket at the moment the server closes it.
  server.keepAliveTimeout = 65_000;
  const url = await listen(server);
  const validFrom = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const services = await buildServices(url, validFrom);
  state.services = services;
  const { oidc, trustedRoot } = services;
  return {
    url,
    fulcioURL: url,
    rekorURL: url,
    tsaURL: url,
    issuer: oidc.issuer,
    trustedRoot,
    mintToken: (identity, o) => oidc.mint(identity, o?.issuer),
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
