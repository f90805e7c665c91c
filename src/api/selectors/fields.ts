/**
 * Field selectors: apimachinery's fields.ParseSelector grammar (`a=b,c==d,e!=f`, values
 * escaped with `\`), with upstream's error messages as StatusErrors 400 BadRequest.
 */
import { badRequest } from '../errors.ts';

export const FieldOperator = { Equals: '=', DoubleEquals: '==', NotEquals: '!=' } as const;
export type FieldOperator = (typeof FieldOperator)[keyof typeof FieldOperator];

/** One `field op value` term, value unescaped. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** A parsed field selector: all requirements must hold. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `get` returns the object's value for a field; a missing field counts as `''`, as upstream's fields.Set. */
  matches(get: (field: string) => string | undefined): boolean;
  /** The value an `=`/`==` term pins `field` to (e.g. metadata.name for single-object watches). */
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

/** Splits on commas not preceded by an escaping backslash. */
function splitTerms(s: string): string[] {
  if (s === '') {
    return [];
  }
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) {
      escaped = false;
    } else if (s[i] === '\\') {
      escaped = true;
    } else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** First operator occurrence, trying `!=`, `==`, `=` at each position (upstream's order). */
function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) {
        return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

/** Upstream's UnescapeValue: `\\`, `\,`, `\=` are the only escapes; bare `,`/`=` are errors. */
function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) {
    throw badRequest('invalid field selector: invalid escape sequence: \\');
  }
  return out;
}

/** Escapes a value for use in a selector string (upstream's EscapeValue). */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Builds a selector from requirements (kept in the order given). */
export function fieldSelectorOf(requirements: readonly FieldRequirement[]): FieldSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (get) =>
      requirements.every((r) => {
        const have = get(r.field) ?? '';
        return r.operator === '!=' ? have !== r.value : have === r.value;
      }),
    requiresExactMatch: (field) => {
      const hit = requirements.find((r) => r.field === field && r.operator !== '!=');
      return hit?.value;
    },
    toString: () => requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(','),
  };
}

/**
 * Parses a `fieldSelector=` query value like fields.ParseSelector (terms sorted, empty terms
 * skipped); throws StatusError 400 `invalid selector: '<s>'; can't understand '<term>'`.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') {
      continue;
    }
    const parts = splitTerm(term);
    if (parts === undefined) {
      throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    }
    reqs.push({ field: parts.lhs, operator: parts.op, value: unescapeValue(parts.rhs) });
  }
  return fieldSelectorOf(reqs);
}

/**
 * Checks every field is one the resource supports (upstream's field label conversion);
 * throws StatusError 400 `field label not supported: <field>` otherwise.
 */
export function checkFieldSelectorFields(sel: FieldSelector, supported: (field: string) => boolean): void {
  for (const r of sel.requirements) {
    if (!supported(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}
