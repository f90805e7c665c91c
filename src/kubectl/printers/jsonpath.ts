/**
 * kubectl's JSONPath dialect (client-go util/jsonpath): `{.a.b}`, `[0]`, `[-1]`, `[1:3:2]`, `[*]`,
 * `..`, `['key']`, unions `[a,b]`, filters `[?(@.x=="y")]`, `{range ...}{end}`, quoted literals,
 * with upstream's parse and execution errors and its printing rules (strings raw, maps and
 * slices as Go's encoding/json, results of one action space-separated).
 */
import { CliError } from '../command.ts';
import { goFloat, goJson, goNumber, goPrint, goQuote, goSharpV } from './gofmt.ts';
import { GoFloat64, JsonPathEngine } from './jsonpath-eval.ts';

/** One parameter of a slice `[start:end:step]`. */
interface SliceParam {
  readonly known: boolean;
  readonly value: number;
  /** `end` computed from `[n]` as n+1 (so `[-1]` selects the last element). */
  readonly derived: boolean;
}

/** A parsed template node (upstream's node kinds). */
type JpNode =
  | { readonly kind: 'list'; readonly nodes: JpNode[] }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'array'; readonly params: readonly [SliceParam, SliceParam, SliceParam] }
  | { readonly kind: 'filter'; readonly left: ListNode; readonly right: ListNode; readonly op: string }
  | { readonly kind: 'int' | 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'recursive' }
  | { readonly kind: 'union'; readonly nodes: readonly ListNode[] }
  | { readonly kind: 'identifier'; readonly name: string };

type ListNode = Extract<JpNode, { kind: 'list' }>;

class ParseError extends Error {}

const dictKey = /^'([^']*)'$/;
const sliceOperator = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const filterParts = /^([^!<>=]+)([!<>=]+)(.+?)$/s;

function isTerminator(c: string): boolean {
  return c === '' || ' \t\r\n.,[]$@{}'.includes(c);
}

function isAlphaNumeric(c: string): boolean {
  return /^[_\p{L}\p{Nd}]$/u.test(c);
}

/** Go's `%#U`: `U+002C ','`. */
function goRune(c: string): string {
  const hex = (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return /[\p{C}]/u.test(c) ? `U+${hex}` : `U+${hex} '${c}'`;
}

/** strconv.Unquote extended to single quotes, as the jsonpath parser uses it. */
function unquote(s: string): string {
  const q = s[0];
  if (s.length < 2 || (q !== '"' && q !== "'") || s[s.length - 1] !== q) {
    throw new ParseError('invalid syntax');
  }
  const body = s.slice(1, -1);
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      if (c === q) {
        throw new ParseError('invalid syntax');
      }
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (e in simple) {
      out += simple[e];
    } else if (hexLen > 0 && /^[0-9a-fA-F]+$/.test(body.slice(i + 1, i + 1 + hexLen)) && body.length >= i + 1 + hexLen) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + hexLen), 16));
      i += hexLen;
    } else if (/^[0-7]{3}$/.test(body.slice(i, i + 3))) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      throw new ParseError('invalid syntax');
    }
  }
  return out;
}

/** The recursive-descent parser; positions are in UTF-16 units but every token is ASCII. */
class Parser {
  private input = '';
  private pos = 0;
  private start = 0;
  root: ListNode = { kind: 'list', nodes: [] };

  parse(text: string): ListNode {
    this.input = text;
    this.pos = 0;
    this.start = 0;
    this.root = { kind: 'list', nodes: [] };
    this.parseText();
    return this.root;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      return '';
    }
    const c = String.fromCodePoint(this.input.codePointAt(this.pos) ?? 0);
    this.pos += c.length;
    return c;
  }

  private backup(c: string): void {
    this.pos -= c.length;
  }

  private peek(): string {
    const c = this.next();
    this.backup(c);
    return c;
  }

  private consume(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }

  private rest(): string {
    return this.input.slice(this.pos);
  }

  private parseText(): void {
    const at = this.input.indexOf('{', this.pos);
    if (at < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) {
        this.root.nodes.push({ kind: 'text', text: this.consume() });
      }
      return;
    }
    this.pos = at;
    if (this.pos > this.start) {
      this.root.nodes.push({ kind: 'text', text: this.consume() });
    }
    this.pos += 1;
    this.consume();
    const action: ListNode = { kind: 'list', nodes: [] };
    this.root.nodes.push(action);
    this.parseInsideAction(action);
  }

  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.consume();
        this.parseText();
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        if (cur.nodes[cur.nodes.length - 1]?.kind === 'recursive') {
          throw new ParseError('invalid multiple recursive descent');
        }
        this.pos += 2;
        this.consume();
        cur.nodes.push({ kind: 'recursive' });
        if (isAlphaNumeric(this.peek())) {
          this.parseField(cur);
        }
        continue;
      }
      const c = this.next();
      if (c === '' || c === '\r' || c === '\n') {
        throw new ParseError('unclosed action');
      } else if (c === ' ' || c === '@' || c === '$') {
        this.consume();
      } else if (c === '[') {
        this.parseArray(cur);
      } else if (c === '"' || c === "'") {
        this.parseQuote(cur, c);
      } else if (c === '.') {
        this.parseField(cur);
      } else if (c === '+' || c === '-' || /^\p{Nd}$/u.test(c)) {
        this.backup(c);
        this.parseNumber(cur);
      } else if (isAlphaNumeric(c)) {
        this.backup(c);
        this.parseIdentifier(cur);
      } else {
        throw new ParseError(`unrecognized character in action: ${goRune(c)}`);
      }
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (let c = this.next(); ; c = this.next()) {
      if (isTerminator(c)) {
        this.backup(c);
        break;
      }
    }
    const value = this.consume();
    cur.nodes.push(value === 'true' || value === 'false' ? { kind: 'bool', value: value === 'true' } : { kind: 'identifier', name: value });
  }

  private parseNumber(cur: ListNode): void {
    const first = this.peek();
    if (first === '+' || first === '-') {
      this.next();
    }
    for (let c = this.next(); ; c = this.next()) {
      if (c !== '.' && !/^\p{Nd}$/u.test(c)) {
        this.backup(c);
        break;
      }
    }
    const value = this.consume();
    if (/^[+-]?\d+$/.test(value)) {
      cur.nodes.push({ kind: 'int', value: Number(value) });
    } else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) {
      cur.nodes.push({ kind: 'float', value: Number(value) });
    } else {
      throw new ParseError(`cannot parse number ${value}`);
    }
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') {
        throw new ParseError('unterminated array');
      }
      if (c === ']') {
        break;
      }
    }
    let text = this.consume().slice(1, -1);
    if (text === '*') {
      text = ':';
    }
    const parts = text.split(',');
    if (parts.length > 1) {
      cur.nodes.push({ kind: 'union', nodes: parts.map((p) => parseAction(`[${p.trim()}]`)) });
      return;
    }
    const key = dictKey.exec(text);
    if (key) {
      cur.nodes.push(...parseAction(`.${key[1] ?? ''}`).nodes);
      return;
    }
    const m = sliceOperator.exec(text);
    if (!m) {
      throw new ParseError(`invalid array index ${text}`);
    }
    const params: SliceParam[] = [];
    for (let i = 0; i < 3; i++) {
      let raw = m[i + 1] ?? '';
      if (raw !== '') {
        if (i > 0) {
          raw = raw.slice(1);
        }
        if (i > 0 && raw === '') {
          params.push({ known: false, value: 0, derived: false });
        } else if (/^[+-]?\d+$/.test(raw)) {
          params.push({ known: true, value: Number(raw), derived: false });
        } else {
          throw new ParseError(`array index ${raw} is not a number`);
        }
      } else if (i === 1) {
        params.push({ known: true, value: (params[0]?.value ?? 0) + 1, derived: true });
      } else {
        params.push({ known: false, value: 0, derived: false });
      }
    }
    const [p0, p1, p2] = params as [SliceParam, SliceParam, SliceParam];
    cur.nodes.push({ kind: 'array', params: [p0, p1, p2] });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consume();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') {
        throw new ParseError('unterminated filter');
      }
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          pair = c;
        } else if (this.input[this.pos - 2] !== '\\' && c === pair) {
          end = true;
        }
      } else if (c === ')' && begin === end) {
        break;
      }
    }
    if (this.next() !== ']') {
      throw new ParseError('unclosed array expect ]');
    }
    const text = this.consume().slice(0, -2);
    const m = filterParts.exec(text);
    if (!m) {
      cur.nodes.push({ kind: 'filter', left: parseAction(text), right: { kind: 'list', nodes: [] }, op: 'exists' });
    } else {
      cur.nodes.push({ kind: 'filter', left: parseAction(m[1] ?? ''), right: parseAction(m[3] ?? ''), op: m[2] ?? '' });
    }
  }

  private parseQuote(cur: ListNode, quote: string): void {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') {
        throw new ParseError('unterminated quoted string');
      }
      if (c === quote && this.input[this.pos - 2] !== '\\') {
        break;
      }
    }
    const value = this.consume();
    try {
      cur.nodes.push({ kind: 'text', text: unquote(value) });
    } catch {
      throw new ParseError(`unquote string ${value} error invalid syntax`);
    }
  }

  private parseField(cur: ListNode): void {
    this.consume();
    for (;;) {
      const c = this.next();
      if (c === '\\') {
        this.next();
      } else if (isTerminator(c)) {
        this.backup(c);
        break;
      }
    }
    const value = this.consume();
    cur.nodes.push(value === '*' ? { kind: 'wildcard' } : { kind: 'field', name: value.replaceAll('\\', '') });
  }
}

/** Parses `{text}` and returns its one action (upstream's parseAction, used for filters, unions, keys). */
function parseAction(text: string): ListNode {
  const root = new Parser().parse(`{${text}}`);
  const first = root.nodes[0];
  return first?.kind === 'list' ? first : { kind: 'list', nodes: [] };
}


/** A compiled kubectl JSONPath template. */
export interface JsonPathTemplate {
  /** Prints like `-o jsonpath=`; throws CliError with kubectl's "error executing jsonpath" text. */
  execute(data: unknown, opts?: { readonly allowMissingKeys?: boolean }): string;
  /** Prints like `-o jsonpath-as-json=`: each action's results as an indented JSON array. */
  executeAsJson(data: unknown, opts?: { readonly allowMissingKeys?: boolean }): string;
  /** The raw results of each action, for sort-by and custom-columns (errors as thrown Error). */
  findResults(data: unknown, allowMissingKeys: boolean): unknown[][];
}

/** Parses a template; throws CliError `error parsing jsonpath <t>, <reason>` on bad syntax. */
export function compileJsonPath(template: string): JsonPathTemplate {
  let root: ListNode;
  try {
    root = new Parser().parse(template);
  } catch (err) {
    // Go's message ends in a newline that kubectl's error printer does not double; ours always adds one.
    throw new CliError(`error parsing jsonpath ${template}, ${(err as Error).message}`);
  }
  const run = (data: unknown, allow: boolean): unknown[][] => {
    try {
      return new JsonPathEngine(allow).run(root, data);
    } catch (err) {
      throw new CliError(executionMessage(template, data, (err as Error).message));
    }
  };
  return {
    execute: (data, opts) => run(data, opts?.allowMissingKeys ?? true).map((group) => group.map(valueText).join(' ')).join(''),
    executeAsJson: (data, opts) => run(data, opts?.allowMissingKeys ?? true).map((group) => `${goJson(group, '    ')}\n`).join(''),
    findResults: (data, allow) => new JsonPathEngine(allow).run(root, data),
  };
}

/** The message kubectl's jsonpath printer fails with: Go's text less its final newline (the error printer adds one). */
export function executionMessage(template: string, data: unknown, reason: string): string {
  return `error executing jsonpath ${goQuote(template)}: Error executing template: ${reason}. Printing more information for debugging the template:\n` +
    `\ttemplate was:\n\t\t${template}\n` +
    `\tobject given to jsonpath engine was:\n\t\t${goSharpV(data)}\n\n`;
}

/** One result as jsonpath prints it: strings raw, null as `null`, maps and slices as JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (v === null || v === undefined) {
    return 'null';
  }
  if (v instanceof GoFloat64) {
    return goFloat(v.value);
  }
  if (typeof v === 'object') {
    return goJson(v);
  }
  return typeof v === 'number' ? goNumber(v) : goPrint(v);
}

export type { JpNode, ListNode, SliceParam };

const relaxedForm = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/**
 * kubectl's RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all become `{.a.b}`
 * (custom-columns and --sort-by accept any of them).
 */
export function relaxedJsonPath(expr: string): string {
  if (expr === '') {
    return expr;
  }
  const m = relaxedForm.exec(expr);
  if (!m) {
    throw new CliError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  }
  return `{.${m[1] ?? m[2] ?? ''}}`;
}
