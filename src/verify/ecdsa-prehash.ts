import type { KeyObject } from 'node:crypto';

import { ASN1Obj } from '@sigstore/core';

/**
 * ECDSA verification over a digest that was computed elsewhere. Node's
 * crypto always hashes the message itself, so a signature can only be
 * checked against the artifact's bytes; a verifier given `sha256:<hex>`
 * needs this. Public inputs only (no secret is involved), so plain BigInt
 * arithmetic is fine; the tests check it against Node's own ECDSA.
 */

interface Curve {
  p: bigint;
  n: bigint;
  g: Point;
}

/** Jacobian coordinates; `z === 0n` is the point at infinity. */
interface Point {
  x: bigint;
  y: bigint;
  z: bigint;
}

const hex = (h: string) => BigInt(`0x${h}`);

// SEC 2 domain parameters; both curves have a = -3.
const CURVES: Record<string, Curve> = {
  'P-256': {
    p: hex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
    n: hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
    g: {
      x: hex(
        '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296',
      ),
      y: hex(
        '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
      ),
      z: 1n,
    },
  },
  'P-384': {
    p: hex(
      'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    ),
    n: hex(
      'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    ),
    g: {
      x: hex(
        'aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7',
      ),
      y: hex(
        '3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f',
      ),
      z: 1n,
    },
  },
};

const INFINITY: Point = { x: 1n, y: 1n, z: 0n };

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function powMod(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/** Inverse modulo a prime, by Fermat. */
const invert = (a: bigint, m: bigint) => powMod(a, m - 2n, m);

function double(P: Point, p: bigint): Point {
  if (P.z === 0n || P.y === 0n) return INFINITY;
  const delta = (P.z * P.z) % p;
  const gamma = (P.y * P.y) % p;
  const beta = (P.x * gamma) % p;
  const alpha = mod(3n * (P.x - delta) * (P.x + delta), p);
  const x = mod(alpha * alpha - 8n * beta, p);
  const z = mod((P.y + P.z) ** 2n - gamma - delta, p);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, p);
  return { x, y, z };
}

function add(P: Point, Q: Point, p: bigint): Point {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const z1z1 = (P.z * P.z) % p;
  const z2z2 = (Q.z * Q.z) % p;
  const u1 = (P.x * z2z2) % p;
  const u2 = (Q.x * z1z1) % p;
  const s1 = (P.y * Q.z * z2z2) % p;
  const s2 = (Q.y * P.z * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(P, p) : INFINITY;
  const h = mod(u2 - u1, p);
  const i = (4n * h * h) % p;
  const j = (h * i) % p;
  const r = mod(2n * (s2 - s1), p);
  const v = (u1 * i) % p;
  const x = mod(r * r - j - 2n * v, p);
  const y = mod(r * (v - x) - 2n * s1 * j, p);
  const z = mod(((P.z + Q.z) ** 2n - z1z1 - z2z2) * h, p);
  return { x, y, z };
}

/** a·G + b·Q in one pass over the bits (Shamir's trick). */
function twoScalars(a: bigint, G: Point, b: bigint, Q: Point, p: bigint) {
  const both = add(G, Q, p);
  let R = INFINITY;
  const bits = Math.max(a.toString(2).length, b.toString(2).length);
  for (let i = BigInt(bits - 1); i >= 0n; i--) {
    R = double(R, p);
    const pick = (((a >> i) & 1n) << 1n) | ((b >> i) & 1n);
    if (pick === 3n) R = add(R, both, p);
    else if (pick === 2n) R = add(R, G, p);
    else if (pick === 1n) R = add(R, Q, p);
  }
  return R;
}

/** (r, s) from a DER ECDSA-Sig-Value, or undefined when it is not one. */
function decodeSignature(der: Buffer): [bigint, bigint] | undefined {
  try {
    const seq = ASN1Obj.parseBuffer(Buffer.from(der));
    const [r, s] = seq.subs;
    const isSequence = seq.tag.constructed && seq.tag.number === 16;
    if (!isSequence || seq.subs.length !== 2 || !r || !s) return undefined;
    if (!r.tag.isInteger() || !s.tag.isInteger()) return undefined;
    // Re-encoding must give the same bytes: no trailing or padded data.
    if (!seq.toDER().equals(der)) return undefined;
    return [r.toInteger(), s.toInteger()];
  } catch {
    return undefined;
  }
}

function publicPoint(key: KeyObject): [Curve, Point] | undefined {
  const jwk = key.export({ format: 'jwk' });
  const curve = jwk.kty === 'EC' ? CURVES[jwk.crv ?? ''] : undefined;
  if (!curve || !jwk.x || !jwk.y) return undefined;
  const coord = (v: string) => hex(Buffer.from(v, 'base64url').toString('hex'));
  return [curve, { x: coord(jwk.x), y: coord(jwk.y), z: 1n }];
}

/** True when ECDSA verification over a digest is possible for this key. */
export function supportsPrehash(key: KeyObject): boolean {
  return key.type === 'public' && publicPoint(key) !== undefined;
}

/**
 * Verifies a DER ECDSA signature (P-256 or P-384) over `digest`, the hash
 * of the signed message (SEC 1, 4.1.4). Returns false for any malformed
 * signature or unsupported key; never throws on hostile input.
 */
export function verifyPrehashed(
  key: KeyObject,
  digest: Buffer,
  signature: Buffer,
): boolean {
  const curve = key.type === 'public' ? publicPoint(key) : undefined;
  const rs = decodeSignature(signature);
  if (!curve || !rs || digest.length === 0) return false;
  const [{ p, n, g }, Q] = curve;
  const [r, s] = rs;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;

  // bits2int: keep the leftmost bits of the digest that fit n.
  const excess = digest.length * 8 - n.toString(2).length;
  let e = hex(digest.toString('hex'));
  if (excess > 0) e >>= BigInt(excess);

  const w = invert(s, n);
  const R = twoScalars(mod(e * w, n), g, mod(r * w, n), Q, p);
  if (R.z === 0n) return false;
  const zInv = invert(R.z, p);
  const x = (R.x * zInv * zInv) % p;
  return x % n === r;
}
