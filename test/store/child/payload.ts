import { createHash } from 'node:crypto';

/**
 * A stand-in attestation of about `size` bytes, unique for (tag, index):
 * JSON whose `fill` is exactly `size` characters long, so a reader can
 * tell a complete entry from a cut one without trusting its file name.
 */
export function fakeAttestation(
  tag: string,
  index: number,
  size: number,
): Buffer {
  const seed = createHash('sha256').update(`${tag}/${index}`).digest('hex');
  const fill = seed.repeat(Math.ceil(size / seed.length)).slice(0, size);
  return Buffer.from(JSON.stringify({ tag, index, size, fill }), 'utf8');
}

/** Whether `bytes` is a complete {@link fakeAttestation}. */
export function isCompleteFake(bytes: Buffer): boolean {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    return typeof v.fill === 'string' && v.fill.length === v.size;
  } catch {
    return false;
  }
}
