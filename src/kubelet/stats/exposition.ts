/**
 * The Prometheus text exposition format (version 0.0.4) as Go's client_golang writes it, which
 * is what the kubelet serves: families sorted by name with `# HELP` and `# TYPE`, samples sorted
 * by their label values, labels sorted by name, floats in Go's shortest `%g` form
 * (`1.2742656e+07`), an optional millisecond timestamp; families without samples are left out.
 */
import { goFloat } from '../../api/go-float.ts';

/** One sample of a family. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** ms since the epoch, written after the value when given. */
  readonly timestampMs?: number;
}

/** A metric family. */
export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly Sample[];
}

/** The content type of the text format, as client_golang answers it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  return names.length === 0 ? '' : `{${names.map((n) => `${n}="${escapeLabelValue(labels[n])}"`).join(',')}}`;
}

function compareSamples(a: Sample, b: Sample): number {
  const names = Object.keys(a.labels).sort();
  for (const n of names) {
    const x = a.labels[n] ?? '';
    const y = b.labels[n] ?? '';
    if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** The families in the text format. */
export function renderExposition(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of [...families].filter((x) => x.samples.length > 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of [...f.samples].sort(compareSamples)) {
      out.push(`${f.name}${labelText(s.labels)} ${goFloat(s.value)}${s.timestampMs === undefined ? '' : ` ${Math.trunc(s.timestampMs)}`}`);
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
