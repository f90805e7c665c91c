/**
 * Reads CRI log files (`<RFC3339Nano> <stream> <P|F> <content>` per line) the way the kubelet
 * serves `/containerLogs`: partial lines joined, `tailLines`, `sinceSeconds`/`sinceTime`,
 * `timestamps` (each line prefixed with its RFC 3339 nano timestamp), `limitBytes`, and
 * `follow` (keep reading appended lines until the container has exited and the file is drained).
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';

/** What `/containerLogs` accepts. */
export interface LogOptions {
  readonly follow?: boolean;
  readonly tailLines?: number;
  readonly timestamps?: boolean;
  readonly sinceMs?: number;
  readonly limitBytes?: number;
}

/** One parsed log line. */
export interface LogLine {
  readonly time: string;
  readonly stream: string;
  readonly partial: boolean;
  readonly content: string;
}

/** Parses one CRI log line; undefined when malformed. */
export function parseCriLine(line: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) (P|F) ?(.*)$/.exec(line);
  if (m === null) {
    return undefined;
  }
  return { time: m[1], stream: m[2], partial: m[3] === 'P', content: m[4] };
}

/** Turns complete CRI lines into output lines (partials joined with their continuation). */
export function renderLines(lines: readonly LogLine[], opts: LogOptions): string[] {
  const out: string[] = [];
  let pending = '';
  let pendingTime: string | undefined;
  for (const l of lines) {
    pendingTime ??= l.time;
    if (l.partial) {
      pending += l.content;
      continue;
    }
    const text = pending + l.content + '\n';
    const time = pendingTime;
    pending = '';
    pendingTime = undefined;
    if (opts.sinceMs !== undefined && Date.parse(time) < opts.sinceMs) {
      continue;
    }
    out.push(opts.timestamps === true ? `${time} ${text}` : text);
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Writes the log at `path` to `out` per `opts`. With follow, polls for appended data while
 * `running()` says the container runs; stops when `closed()` (the client went away).
 */
export async function streamLog(path: string, out: Writable, opts: LogOptions, running: () => Promise<boolean>, closed: () => boolean): Promise<void> {
  const file = await open(path, 'r');
  let budget = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  const emit = (chunks: readonly string[]): boolean => {
    for (const c of chunks) {
      if (budget <= 0) {
        return false;
      }
      const buf = Buffer.from(c);
      const part = buf.length <= budget ? buf : buf.subarray(0, budget);
      budget -= part.length;
      out.write(part);
    }
    return budget > 0;
  };
  try {
    let offset = 0;
    let carry = '';
    const readMore = async (): Promise<LogLine[]> => {
      const { size } = await file.stat();
      if (size < offset) {
        offset = 0;
      }
      if (size === offset) {
        return [];
      }
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await file.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = carry + buf.subarray(0, bytesRead).toString('utf8');
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      return parts.map(parseCriLine).filter((l): l is LogLine => l !== undefined);
    };
    let lines = renderLines(await readMore(), opts);
    if (opts.tailLines !== undefined && opts.tailLines >= 0) {
      lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    }
    if (!emit(lines) || opts.follow !== true) {
      return;
    }
    for (;;) {
      if (closed()) {
        return;
      }
      const alive = await running();
      const more = renderLines(await readMore(), opts);
      if (!emit(more)) {
        return;
      }
      if (!alive && more.length === 0) {
        return;
      }
      await sleep(200);
    }
  } finally {
    await file.close();
  }
}
