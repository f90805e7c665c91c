/**
 * kubectl's generic describer for kinds without their own (custom resources and the rest):
 * Name, Namespace, Labels, Annotations, then every other field as an indented tree with
 * "smart" labels (`apiVersion` → `API Version`), then Events.
 */
import { goPrint, isJsonObject } from '../printers/gofmt.ts';
import { DescribeWriter, map, printAnnotations, printEvents, printLabels, sortedKeys, str } from './writer.ts';
import type { Obj } from './writer.ts';

const acronyms = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** fatih/camelcase.Split: runs of one character class, an upper-case run handing its last letter to a following lower-case run. */
function camelSplit(s: string): string[] {
  const cls = (c: string): number => (/\p{Ll}/u.test(c) ? 1 : /\p{Lu}/u.test(c) ? 2 : /\p{Nd}/u.test(c) ? 3 : 4);
  const runs: string[][] = [];
  let last = 0;
  for (const c of s) {
    const k = cls(c);
    if (k === last) {
      runs[runs.length - 1]?.push(c);
    } else {
      runs.push([c]);
    }
    last = k;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const cur = runs[i] ?? [];
    const next = runs[i + 1] ?? [];
    if (cls(cur[0] ?? '') === 2 && cls(next[0] ?? '') === 1) {
      next.unshift(cur.pop() ?? '');
    }
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(''));
}

/** kubectl's smartLabelFor: `creationTimestamp` → `Creation Timestamp`, `uid` → `UID`; names with other characters unchanged. */
export function smartLabel(field: string): string {
  if ([...field].some((c) => !/\p{L}/u.test(c) && c !== '-')) {
    return field;
  }
  return camelSplit(field)
    .filter((p) => p !== '_')
    .map((p) => (acronyms.has(p.toUpperCase()) ? p.toUpperCase() : (p[0] ?? '').toUpperCase() + p.slice(1).toLowerCase()))
    .join(' ');
}

function printContent(w: DescribeWriter, level: number, content: Obj, prefix: string, skip: ReadonlySet<string>): void {
  for (const field of sortedKeys(content)) {
    const value = content[field];
    const path = `${prefix}.${field}`;
    if (skip.has(path)) {
      continue;
    }
    if (isJsonObject(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      printContent(w, level + 1, value, path, skip);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      for (const child of value as unknown[]) {
        if (isJsonObject(child)) {
          printContent(w, level + 1, child, path, skip);
        } else {
          w.write(level + 1, `${goPrint(child)}\n`);
        }
      }
    } else {
      w.write(level, `${smartLabel(field)}:\t${goPrint(value)}\n`);
    }
  }
}

const genericSkip = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

/** The generic description of any object. */
export function describeGeneric(obj: Obj, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(obj, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(obj, 'metadata', 'namespace')}\n`);
  printLabels(w, 'Labels', map(obj, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(obj, 'metadata', 'annotations'));
  printContent(w, 0, obj, '', genericSkip);
  printEvents(w, events);
  return w.toString();
}
