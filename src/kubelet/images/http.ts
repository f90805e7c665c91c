/**
 * A small HTTP(S) client for the registry client: buffered or streamed-to-file responses,
 * redirects followed (without leaking Authorization to another host), and TLS verification
 * that a registries.yaml `insecure_skip_verify` can turn off per host.
 */
import { createWriteStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';

/** One request. */
export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly insecureSkipVerify?: boolean;
  readonly caPem?: string;
  /** Stream a 2xx body to this file instead of buffering it. */
  readonly toFile?: string;
}

/** A response (body empty when streamed to a file). */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly url: string;
}

function once(url: URL, options: HttpOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = fn(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: options.insecureSkipVerify !== true, ca: options.caPem } : {}),
      timeout: 60_000,
    }, resolve);
    req.on('timeout', () => req.destroy(new Error(`timeout requesting ${url.href}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Performs a request, following up to 5 redirects. */
export async function httpFetch(urlText: string, options: HttpOptions = {}): Promise<HttpResponse> {
  let url = new URL(urlText);
  let headers = { ...(options.headers ?? {}) };
  for (let hop = 0; hop < 6; hop++) {
    const res = await once(url, { ...options, headers });
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status) && res.headers.location !== undefined) {
      res.resume();
      const next = new URL(res.headers.location, url);
      if (next.host !== url.host) {
        // Blob redirects go to storage backends with their own signed URLs.
        const { Authorization: _drop, ...rest } = headers;
        headers = rest;
      }
      url = next;
      continue;
    }
    if (options.toFile !== undefined && status >= 200 && status < 300) {
      await pipeline(res, createWriteStream(options.toFile));
      return { status, headers: res.headers, body: Buffer.alloc(0), url: url.href };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of res) {
      chunks.push(chunk as Buffer);
    }
    return { status, headers: res.headers, body: Buffer.concat(chunks), url: url.href };
  }
  throw new Error(`too many redirects fetching ${urlText}`);
}
