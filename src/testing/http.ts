import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HandlerFnResult } from '@sigstore/mock/dist/shared.types.js';

/** Largest request body the stand-in accepts, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A response a route produces: status, body and its content type. */
export interface RouteResult {
  statusCode: number;
  body: string | Uint8Array;
  contentType?: string;
}

/** Thrown when a request body is larger than {@link MAX_BODY_BYTES}. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a request body as UTF-8, refusing more than `limit` bytes.
 *
 * @throws BodyTooLargeError when the body exceeds the limit.
 */
export async function readBody(
  req: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) {
      throw new BodyTooLargeError(`body larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a route result to the response and ends it. */
export function send(res: ServerResponse, result: RouteResult): void {
  res.statusCode = result.statusCode;
  res.setHeader('content-type', result.contentType ?? 'text/plain');
  // A refused request may leave its body unread, and Node then drops the
  // connection: tell the client, or it reuses it and the next call fails.
  if (result.statusCode >= 400) res.setHeader('connection', 'close');
  res.end(result.body);
}

/** A JSON response with the given status. */
export function json(statusCode: number, value: unknown): RouteResult {
  return {
    statusCode,
    body: JSON.stringify(value),
    contentType: 'application/json',
  };
}

/** A plain-text error response. */
export function fail(statusCode: number, message: string): RouteResult {
  return { statusCode, body: message, contentType: 'text/plain' };
}

/** Parses JSON, returning undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True for a non-null object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Converts a `@sigstore/mock` handler result to a route result. */
export function fromMock(result: HandlerFnResult): RouteResult {
  const { response } = result;
  const body =
    typeof response === 'string'
      ? response
      : new Uint8Array(
          response.buffer,
          response.byteOffset,
          response.byteLength,
        );
  return {
    statusCode: result.statusCode,
    body,
    contentType: result.contentType,
  };
}
