/** One EC public key written in the point forms SPKI allows. */
import { createPublicKey, ECDH, type KeyObject } from 'node:crypto';

const pemOf = (k: KeyObject) =>
  k.export({ type: 'spki', format: 'pem' }).toString();

/** The same P-256 key as SPKI PEM with its point in another form. */
export function reencoded(key: KeyObject, form: 'compressed' | 'hybrid') {
  const der = key.export({ type: 'spki', format: 'der' });
  const point = ECDH.convertKey(
    der.subarray(der.length - 65),
    'prime256v1',
    undefined,
    undefined,
    form,
  ) as Buffer;
  const head = der.subarray(2, der.length - 65 - 3); // the algorithm id
  const bits = Buffer.concat([Buffer.from([3, point.length + 1, 0]), point]);
  const body = Buffer.concat([head, bits]);
  const spki = Buffer.concat([Buffer.from([0x30, body.length]), body]);
  return pemOf(createPublicKey({ key: spki, format: 'der', type: 'spki' }));
}
