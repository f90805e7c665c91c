/**
 * Label selectors: the string grammar of apimachinery's labels.Parse (`a=b,c!=d,e in (f,g),
 * !h, i`) and metav1.LabelSelector (matchLabels / matchExpressions), with upstream's
 * error messages. Parse errors are StatusErrors 400 BadRequest, as the API server answers.
 */
import { badRequest } from '../errors.ts';
import { invalidValue, labelKeyErrors, labelValueErrors } from './names.ts';

export const LabelOperator = {
  Equals: '=',
  DoubleEquals: '==',
  NotEquals: '!=',
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  GreaterThan: 'gt',
  LessThan: 'lt',
} as const;
export type LabelOperator = (typeof LabelOperator)[keyof typeof LabelOperator];

/** One `key op values` term; values are sorted and de-duplicated like upstream's sets. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** A parsed label selector: all requirements must hold. */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector selects everything (no requirements). */
  readonly empty: boolean;
  /** True when the selector selects nothing (a nil metav1.LabelSelector). */
  readonly nothing: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** Canonical form, as upstream's Selector.String(). */
  toString(): string;
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^[+-]?\d+$/.test(value) || r.values.length !== 1) {
        return false;
      }
      const have = BigInt(value);
      const want = BigInt(r.values[0] ?? '0');
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
  return false;
}

function requirementString(r: LabelRequirement): string {
  const values = r.values.join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** Builds a selector from already-validated requirements (sorted by key, as upstream does). */
export function selectorOf(requirements: readonly LabelRequirement[]): LabelSelector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    empty: sorted.length === 0,
    nothing: false,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    toString: () => sorted.map(requirementString).join(','),
  };
}

/** Matches every object. */
export const everything: LabelSelector = selectorOf([]);

/** Matches no object (upstream's labels.Nothing(), e.g. a nil selector on a PDB). */
export const nothing: LabelSelector = {
  requirements: [],
  empty: false,
  nothing: true,
  matches: () => false,
  toString: () => '',
};

/**
 * Validates one requirement the way labels.NewRequirement does; returns the error text
 * (one error alone, several as `[a, b]`), or undefined. `path` prefixes field paths.
 */
function requirementError(key: string, op: LabelOperator, values: readonly string[], path = ''): string | undefined {
  const errs: string[] = [];
  const p = (child: string): string => (path === '' ? child : `${path}.${child}`);
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length > 0) {
    errs.push(invalidValue(p('key'), key, keyErrs.join('; ')));
  }
  const shown = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  const valuesPath = p('values');
  if (op === 'in' || op === 'notin') {
    if (values.length === 0) {
      errs.push(`${valuesPath}: Invalid value: ${shown}: for 'in', 'notin' operators, values set can't be empty`);
    }
  } else if (op === '=' || op === '==' || op === '!=') {
    if (values.length !== 1) {
      errs.push(`${valuesPath}: Invalid value: ${shown}: exact-match compatibility requires one single value`);
    }
  } else if (op === 'exists' || op === '!') {
    if (values.length !== 0) {
      errs.push(`${valuesPath}: Invalid value: ${shown}: values set must be empty for exists and does not exist`);
    }
  } else {
    if (values.length !== 1) {
      errs.push(`${valuesPath}: Invalid value: ${shown}: for 'Gt', 'Lt' operators, exactly one value is required`);
    }
    values.forEach((v, i) => {
      if (!/^[+-]?\d+$/.test(v) || BigInt(v) > 2n ** 63n - 1n || BigInt(v) < -(2n ** 63n)) {
        errs.push(invalidValue(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
    });
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length > 0) {
      errs.push(invalidValue(`${valuesPath}[${i}][${key}]`, v, valueErrs.join('; ')));
    }
  });
  if (errs.length === 0) {
    return undefined;
  }
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

/** Builds one validated requirement; throws a 400 with upstream's message when invalid. */
export function labelRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const err = requirementError(key, operator, values);
  if (err !== undefined) {
    throw badRequest(err);
  }
  return { key, operator, values: [...new Set(values)].sort() };
}

const Tok = {
  Error: 0,
  End: 1,
  ClosePar: 2,
  Comma: 3,
  Not: 4,
  DoubleEquals: 5,
  Equals: 6,
  Greater: 7,
  Identifier: 8,
  In: 9,
  Less: 10,
  NotEquals: 11,
  NotIn: 12,
  OpenPar: 13,
} as const;
type Tok = (typeof Tok)[keyof typeof Tok];

const keywords: Readonly<Record<string, Tok>> = {
  ')': Tok.ClosePar, ',': Tok.Comma, '!': Tok.Not, '==': Tok.DoubleEquals, '=': Tok.Equals, '>': Tok.Greater,
  in: Tok.In, '<': Tok.Less, '!=': Tok.NotEquals, notin: Tok.NotIn, '(': Tok.OpenPar,
};

interface Item {
  readonly tok: Tok;
  readonly lit: string;
}

const isSpecial = (c: string): boolean => '=!(),><'.includes(c);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Tokenises like upstream's lexer: longest operator match, `in`/`notin` as keywords. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos] ?? '')) {
      pos++;
    }
    if (pos >= s.length) {
      items.push({ tok: Tok.End, lit: '' });
      return items;
    }
    if (isSpecial(s[pos] ?? '')) {
      let buffer = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos] ?? '')) {
        buffer += s[pos];
        const tok = keywords[buffer];
        if (tok !== undefined) {
          last = { tok, lit: buffer };
        } else if (last !== undefined) {
          break;
        }
        pos++;
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = '';
    while (pos < s.length && !isSpecial(s[pos] ?? '') && !isSpace(s[pos] ?? '')) {
      word += s[pos];
      pos++;
    }
    const kw = keywords[word];
    items.push({ tok: kw ?? Tok.Identifier, lit: word });
  }
}

class ParseError extends Error {}

/** Recursive-descent parser over the token list; `in`/`notin` are identifiers where values are expected. */
class Parser {
  private readonly items: Item[];
  private position = 0;

  constructor(s: string) {
    this.items = lex(s);
  }

  private peek(asValue: boolean): Item {
    return this.adjust(this.items[this.position] ?? { tok: Tok.End, lit: '' }, asValue);
  }

  private next(asValue: boolean): Item {
    const item = this.items[this.position] ?? { tok: Tok.End, lit: '' };
    this.position++;
    return this.adjust(item, asValue);
  }

  private adjust(item: Item, asValue: boolean): Item {
    return asValue && (item.tok === Tok.In || item.tok === Tok.NotIn) ? { tok: Tok.Identifier, lit: item.lit } : item;
  }

  parse(): LabelRequirement[] {
    const out: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === Tok.Identifier || tok === Tok.Not) {
        try {
          out.push(this.requirement());
        } catch (e) {
          if (e instanceof ParseError) {
            throw new ParseError(`unable to parse requirement: ${e.message}`);
          }
          throw e;
        }
        const after = this.next(true);
        if (after.tok === Tok.End) {
          return out;
        }
        if (after.tok === Tok.Comma) {
          const following = this.peek(true);
          if (following.tok !== Tok.Identifier && following.tok !== Tok.Not) {
            throw new ParseError(`found '${following.lit}', expected: identifier after ','`);
          }
        } else {
          throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === Tok.End) {
        return out;
      } else {
        throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private requirement(): LabelRequirement {
    let first = this.next(true);
    let negated = false;
    if (first.tok === Tok.Not) {
      negated = true;
      first = this.next(true);
    }
    if (first.tok !== Tok.Identifier) {
      throw new ParseError(`found '${first.lit}', expected: identifier`);
    }
    const key = first.lit;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length > 0) {
      throw new ParseError(invalidValue('<nil>', key, keyErrs.join('; ')));
    }
    const la = this.peek(true).tok;
    if (negated || la === Tok.End || la === Tok.Comma) {
      // `!key` is complete by itself; upstream then rejects whatever follows at the top level.
      return this.validated(key, negated ? '!' : 'exists', []);
    }
    const opItem = this.next(false);
    const op = operatorOf(opItem.tok);
    if (op === undefined) {
      throw new ParseError(`found '${opItem.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return this.validated(key, op, [...new Set(values)].sort());
  }

  private validated(key: string, op: LabelOperator, values: string[]): LabelRequirement {
    const err = requirementError(key, op, values);
    if (err !== undefined) {
      throw new ParseError(err);
    }
    return { key, operator: op, values };
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== Tok.OpenPar) {
      throw new ParseError(`found '${open.lit}' expected: '('`);
    }
    const { tok, lit } = this.peek(true);
    if (tok === Tok.ClosePar) {
      this.next(true);
      return [''];
    }
    if (tok !== Tok.Identifier && tok !== Tok.Comma) {
      throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    }
    const values = this.identifierList();
    if (this.next(true).tok !== Tok.ClosePar) {
      throw new ParseError(`found '${lit}', expected: ')'`);
    }
    return values;
  }

  /** `a,b`, with empty members allowed (`(,a)`, `(a,,b)`, `(a,)`), stopping before `)`. */
  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === Tok.Identifier) {
        values.push(lit);
        const la = this.peek(true);
        if (la.tok === Tok.Comma) {
          continue;
        }
        if (la.tok === Tok.ClosePar) {
          return values;
        }
        throw new ParseError(`found '${la.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (values.length === 0) {
          values.push('');
        }
        const la = this.peek(true);
        if (la.tok === Tok.ClosePar) {
          values.push('');
          return values;
        }
        if (la.tok === Tok.Comma) {
          this.next(true);
          values.push('');
        }
      } else {
        throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): string[] {
    const la = this.peek(true);
    if (la.tok === Tok.End || la.tok === Tok.Comma) {
      return [''];
    }
    const { tok, lit } = this.next(true);
    if (tok === Tok.Identifier) {
      return [lit];
    }
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

function operatorOf(tok: Tok): LabelOperator | undefined {
  switch (tok) {
    case Tok.In: return 'in';
    case Tok.NotIn: return 'notin';
    case Tok.Equals: return '=';
    case Tok.DoubleEquals: return '==';
    case Tok.NotEquals: return '!=';
    case Tok.Greater: return 'gt';
    case Tok.Less: return 'lt';
    default: return undefined;
  }
}

/**
 * Parses a `labelSelector=` query value like labels.Parse; throws StatusError 400 with
 * upstream's message (e.g. `unable to parse requirement: found '', expected: identifier`).
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return selectorOf(new Parser(s).parse());
  } catch (e) {
    if (e instanceof ParseError) {
      throw badRequest(e.message);
    }
    throw e;
  }
}

/** metav1.LabelSelectorRequirement. */
export interface LabelSelectorRequirementMeta {
  key: string;
  operator: string;
  values?: readonly string[];
}

/** metav1.LabelSelector as found in specs (deployments, services use plain maps instead). */
export interface LabelSelectorMeta {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirementMeta[];
}

const metaOperators: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: undefined/null selects nothing, `{}` selects everything;
 * throws StatusError 400 for invalid keys, values or operators.
 */
export function labelSelectorFromMeta(sel: LabelSelectorMeta | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) {
    return nothing;
  }
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    reqs.push(labelRequirement(k, '=', [v]));
  }
  for (const expr of sel.matchExpressions ?? []) {
    const op = metaOperators[expr.operator];
    if (op === undefined) {
      throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    }
    reqs.push(labelRequirement(expr.key, op, expr.values ?? []));
  }
  return selectorOf(reqs);
}

/** A selector matching exactly the given map (services' spec.selector, RC selectors); empty map → everything. */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelSelector {
  return selectorOf(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}
