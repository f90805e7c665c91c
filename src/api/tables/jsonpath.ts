/**
 * The JSONPath subset CRD additionalPrinterColumns use: `.a.b`, `['key.with.dots']`,
 * `[0]`, `[*]`, and filters `[?(@.type=="Ready")]`; optional `{...}` wrapping.
 * Missing keys yield no results (upstream's AllowMissingKeys).
 */

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly string[]; readonly op: '==' | '!='; readonly value: string };

/** A compiled path; `find` returns every match (printers use the first). */
export interface JsonPath {
  find(obj: unknown): unknown[];
}

function parseFilter(body: string): Step {
  const m = /^\?\(\s*@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+))\s*\)$/.exec(body);
  if (m === null) {
    throw new Error(`unsupported JSONPath filter: [${body}]`);
  }
  const path = (m[1] ?? '').slice(1).split('.');
  return { kind: 'filter', path, op: m[2] === '!=' ? '!=' : '==', value: m[3] ?? m[4] ?? m[5] ?? '' };
}

/** Compiles a JSONPath expression; throws on syntax outside the subset. */
export function compileJsonPath(expr: string): JsonPath {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) {
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith('$')) {
    s = s.slice(1);
  }
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      let j = i + 1;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') {
        j++;
      }
      const fieldName = s.slice(i + 1, j);
      if (fieldName !== '') {
        steps.push({ kind: 'field', name: fieldName });
      }
      i = j;
    } else if (c === '[') {
      const close = findClose(s, i);
      const body = s.slice(i + 1, close).trim();
      if (body === '*') {
        steps.push({ kind: 'all' });
      } else if (/^-?\d+$/.test(body)) {
        steps.push({ kind: 'index', index: Number(body) });
      } else if (/^'.*'$|^".*"$/.test(body)) {
        steps.push({ kind: 'field', name: body.slice(1, -1) });
      } else if (body.startsWith('?')) {
        steps.push(parseFilter(body));
      } else {
        throw new Error(`unsupported JSONPath segment: [${body}]`);
      }
      i = close + 1;
    } else {
      throw new Error(`unrecognized JSONPath ${JSON.stringify(expr)}`);
    }
  }
  return { find: (obj) => steps.reduce<unknown[]>((values, step) => values.flatMap((v) => apply(step, v)), [obj]) };
}

function findClose(s: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (quote !== undefined) {
      if (c === quote) {
        quote = undefined;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ']') {
      return i;
    }
  }
  throw new Error(`unterminated [ in JSONPath ${JSON.stringify(s)}`);
}

function apply(step: Step, v: unknown): unknown[] {
  switch (step.kind) {
    case 'field':
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, step.name)) {
        return [(v as Record<string, unknown>)[step.name]];
      }
      return [];
    case 'index': {
      if (!Array.isArray(v)) {
        return [];
      }
      const at = step.index < 0 ? v.length + step.index : step.index;
      return at >= 0 && at < v.length ? [v[at]] : [];
    }
    case 'all':
      if (Array.isArray(v)) {
        return v;
      }
      return v !== null && typeof v === 'object' ? Object.values(v) : [];
    case 'filter': {
      if (!Array.isArray(v)) {
        return [];
      }
      return v.filter((item) => {
        let cur: unknown = item;
        for (const p of step.path) {
          cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
        }
        if (cur === undefined) {
          return false;
        }
        const text = typeof cur === 'string' ? cur : JSON.stringify(cur);
        return step.op === '==' ? text === step.value : text !== step.value;
      });
    }
  }
  return [];
}
