/**
 * Turns a kubelet's `/metrics/resource` (Prometheus text) into one node's metric points, as
 * metrics-server's resource decoder: the node's cumulative CPU and working set, and per pod
 * (namespace/name) per container its cumulative CPU, working set, start time and sample time.
 * Incomplete points are dropped as upstream drops them: a node without CPU or memory, and a
 * whole pod when any of its containers lacks either (0 counts as missing).
 */

/** One parsed sample line. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** ms since the epoch; undefined when the line has none. */
  readonly timestampMs: number | undefined;
}

/** A cumulative-CPU + memory reading. */
export interface MetricsPoint {
  /** ms since the epoch. */
  readonly timestampMs: number;
  /** Cumulative CPU time, nanoseconds. */
  readonly cpuNanos: number;
  /** Working set, bytes. */
  readonly memoryBytes: number;
}

/** A container's reading with its start time (to notice restarts). */
export interface ContainerPoint extends MetricsPoint {
  /** ms since the epoch; 0 when unknown. */
  readonly startTimeMs: number;
}

/** What one scrape of one node gave. */
export interface NodeBatch {
  readonly node: MetricsPoint | undefined;
  /** `namespace/name` → container name → point. */
  readonly pods: ReadonlyMap<string, ReadonlyMap<string, ContainerPoint>>;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    end = re.lastIndex;
  }
  if (text.slice(end).trim() !== '') {
    throw new Error(`bad labels: ${text}`);
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') {
    return Infinity;
  }
  if (text === '-Inf') {
    return -Infinity;
  }
  const v = text === 'NaN' ? NaN : Number(text);
  if (Number.isNaN(v) && text !== 'NaN') {
    throw new Error(`bad value: ${text}`);
  }
  return v;
}

/** The sample lines of a Prometheus text document (comments and blank lines skipped); throws on a malformed line. */
export function parseExposition(text: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(line);
    if (m === null) {
      throw new Error(`failed parsing metrics: ${line.slice(0, 80)}`);
    }
    out.push({ name: m[1], labels: m[2] === undefined ? {} : parseLabels(m[2]), value: parseValue(m[3]), timestampMs: m[4] === undefined ? undefined : Number(m[4]) });
  }
  return out;
}

interface Partial {
  timestampMs: number;
  cpuNanos: number;
  memoryBytes: number;
  startTimeMs: number;
}

/** Decodes one node's scrape; `scrapeTimeMs` stands in for samples without a timestamp. */
export function decodeResourceMetrics(text: string, scrapeTimeMs: number): NodeBatch {
  const node: Partial = { timestampMs: 0, cpuNanos: 0, memoryBytes: 0, startTimeMs: 0 };
  const pods = new Map<string, Map<string, Partial>>();
  const containerOf = (labels: Readonly<Record<string, string>>): Partial => {
    const key = `${labels.namespace ?? ''}/${labels.pod ?? ''}`;
    let containers = pods.get(key);
    if (containers === undefined) {
      containers = new Map();
      pods.set(key, containers);
    }
    const name = labels.container ?? '';
    let c = containers.get(name);
    if (c === undefined) {
      c = { timestampMs: 0, cpuNanos: 0, memoryBytes: 0, startTimeMs: 0 };
      containers.set(name, c);
    }
    return c;
  };
  for (const s of parseExposition(text)) {
    const ts = s.timestampMs ?? scrapeTimeMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
        node.cpuNanos = s.value * 1e9;
        node.timestampMs = ts;
        break;
      case 'node_memory_working_set_bytes':
        node.memoryBytes = s.value;
        node.timestampMs = ts;
        break;
      case 'container_cpu_usage_seconds_total': {
        const c = containerOf(s.labels);
        c.cpuNanos = s.value * 1e9;
        c.timestampMs = ts;
        break;
      }
      case 'container_memory_working_set_bytes': {
        const c = containerOf(s.labels);
        c.memoryBytes = s.value;
        c.timestampMs = ts;
        break;
      }
      case 'container_start_time_seconds':
        containerOf(s.labels).startTimeMs = s.value * 1000;
        break;
      default:
        break;
    }
  }
  const complete = (p: Partial): boolean => p.timestampMs > 0 && p.cpuNanos > 0 && p.memoryBytes > 0;
  const result = new Map<string, ReadonlyMap<string, ContainerPoint>>();
  for (const [key, containers] of pods) {
    if ([...containers.values()].every(complete) && containers.size > 0) {
      result.set(key, new Map([...containers].map(([name, c]) => [name, { ...c }])));
    }
  }
  return { node: complete(node) ? { timestampMs: node.timestampMs, cpuNanos: node.cpuNanos, memoryBytes: node.memoryBytes } : undefined, pods: result };
}
