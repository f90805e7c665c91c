/** Polling and port helpers shared by the end-to-end tests (one copy, instead of one per file). */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Options of `until`. */
export interface UntilOptions {
  /** Give up after this long (default 60 s: generous, the suite runs on a loaded 2-core machine). */
  readonly timeoutMs?: number;
  /** Pause between probes (default 100 ms). */
  readonly intervalMs?: number;
  /** Appended to the timeout error: the components' output, say, to explain what went wrong. */
  readonly context?: () => string;
  /** Treat a probe that throws as "not yet" (for probes that race object creation). */
  readonly ignoreErrors?: boolean;
}

/**
 * Probes until `probe` returns something other than `undefined` or `false`, and returns it;
 * throws `timed out waiting for <what>` (plus the context) after the timeout.
 */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, opts: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const v = opts.ignoreErrors === true ? await Promise.resolve().then(probe).catch(() => undefined) : await probe();
    if (v !== undefined && v !== false) {
      return v;
    }
    if (Date.now() > deadline) {
      const context = opts.context?.() ?? '';
      throw new Error(`timed out waiting for ${what}${context === '' ? '' : `\n${context}`}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
