import { BaseFetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';

/** What went wrong with the last request to the mirror, if anything. */
export interface FetchFailure {
  /** No answer (refused, timed out, name not found) or an HTTP error. */
  readonly kind: 'unreachable' | 'http';
  /** The file asked for, relative to the mirror. */
  readonly file: string;
  /** The HTTP status, for `http`. */
  readonly status?: number;
}

/**
 * The one network client of a refresh: a GET with a timeout, no retry and
 * no redirect (an answer must come from the mirror itself, not from a host
 * it names), that remembers how the last request failed. tuf-js folds some
 * failures into generic errors; this record lets the caller still tell a mirror that
 * could not be reached from metadata that did not verify.
 */
export class MirrorFetcher extends BaseFetcher {
  /** The failure of the most recent request; cleared when one succeeds. */
  lastFailure: FetchFailure | undefined;

  constructor(
    private readonly base: string,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  override async fetch(
    url: string,
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const file = url.startsWith(this.base)
      ? url.slice(this.base.length).replace(/^\//, '')
      : url;
    let response: Response;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        // A 3xx is not followed: it fails below as an HTTP error.
        redirect: 'manual',
      });
    } catch (error) {
      this.lastFailure = { kind: 'unreachable', file };
      throw error;
    }
    if (!response.ok || !response.body) {
      // Free the connection; the body of an error page is not read.
      await response.body?.cancel();
      this.lastFailure = { kind: 'http', file, status: response.status };
      // tuf-js reads a 403 or 404 for the next root version as "no newer
      // root", so the status must reach it in its own error class.
      throw new DownloadHTTPError('download failed', response.status);
    }
    this.lastFailure = undefined;
    return this.watched(response.body, file);
  }

  /**
   * The body, noting a failure while it is read: a mirror that sends its
   * headers, then drips, times out here, and that is no bad metadata.
   */
  private watched(
    body: ReadableStream<Uint8Array>,
    file: string,
  ): ReadableStream<Uint8Array<ArrayBuffer>> {
    const reader = body.getReader();
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value as Uint8Array<ArrayBuffer>);
        } catch (error) {
          this.lastFailure = { kind: 'unreachable', file };
          throw error;
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }
}
