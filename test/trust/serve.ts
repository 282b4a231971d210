/** A tiny HTTP server on 127.0.0.1 that serves a map of files. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running file server. */
export interface FileServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The paths asked for, in order, without the leading slash. */
  readonly requests: string[];
  /** Answers this path with this status instead of the file. */
  readonly statusFor: Map<string, number>;
  close(): Promise<void>;
}

/** Serves `files` (read on each request, so tests may change them). */
export async function serveFiles(
  files: ReadonlyMap<string, Buffer>,
): Promise<FileServer> {
  const requests: string[] = [];
  const statusFor = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(
      new URL(req.url ?? '/', 'http://x').pathname,
    ).slice(1);
    requests.push(path);
    const status = statusFor.get(path);
    const body = files.get(path);
    if (status !== undefined || body === undefined) {
      res.writeHead(status ?? 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    statusFor,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
