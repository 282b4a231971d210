/**
 * A hostile TUF mirror on 127.0.0.1: serves a map of files like
 * test/trust/serve.ts, but a test may answer any path with its own handler
 * (a redirect, an endless body, a slow drip).
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request in place of the file. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A running hostile mirror. */
export interface HostileMirror {
  readonly url: string;
  /** Paths asked for, without the leading slash. */
  readonly requests: string[];
  /** Handlers by path, consulted before the files. */
  readonly handlers: Map<string, Handler>;
  close(): Promise<void>;
}

/** Serves `files` (read on each request) unless a handler takes the path. */
export async function serveHostile(
  files: ReadonlyMap<string, Buffer>,
): Promise<HostileMirror> {
  const requests: string[] = [];
  const handlers = new Map<string, Handler>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    requests.push(path);
    const handler = handlers.get(path);
    if (handler) return handler(req, res);
    const body = files.get(decodeURIComponent(path));
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handlers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler that writes `chunk` every `everyMs` and never ends. */
export function drip(chunk: Buffer, everyMs: number): Handler {
  return (req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write(chunk), everyMs);
    res.on('close', () => clearInterval(timer));
    req.on('close', () => clearInterval(timer));
  };
}

/** A handler that redirects to `location`. */
export function redirect(location: string, status = 302): Handler {
  return (_req, res) => void res.writeHead(status, { location }).end();
}
