/**
 * A one-page HTTP server on 127.0.0.1 for the browser test: it serves the
 * page, the browser bundle and the cases, and receives the page's result
 * by POST /result.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Path -> [content type, body]. */
export type Routes = Record<string, [string, string | Buffer]>;

export interface PageServer {
  url: string;
  /** The body the page posts to /result, parsed. */
  result: Promise<unknown>;
  close(): Promise<void>;
}

/** Results are a few kilobytes; anything near this is a runaway page. */
const MAX_RESULT_BYTES = 8 * 1024 * 1024;

export async function servePage(
  bundle: string,
  cases: unknown,
): Promise<PageServer> {
  const here = import.meta.dirname;
  const routes: Routes = {
    '/': ['text/html', await readFile(join(here, 'page.html'))],
    '/page.js': ['text/javascript', await readFile(join(here, 'page.js'))],
    '/core.js': ['text/javascript', await readFile(bundle)],
    '/cases.json': ['application/json', JSON.stringify(cases)],
  };
  let settle: (body: unknown) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const result = new Promise<unknown>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  result.catch(() => undefined);

  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      readBody(req)
        .then((text) => settle(JSON.parse(text)))
        .catch((e: unknown) =>
          fail(e instanceof Error ? e : new Error(String(e))),
        )
        .finally(() => res.writeHead(204).end());
      return;
    }
    const route = routes[req.url ?? ''];
    if (req.method !== 'GET' || route === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': route[0],
      'cache-control': 'no-store',
    });
    res.end(route[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    result,
    close: () => close(server),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESULT_BYTES) throw new Error('result too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
