/**
 * A fast path for reading kubeconfig files without loading the YAML library (~30 modules, a
 * large share of a CLI start): JSON, or the block-style YAML subset every kubeconfig writer
 * emits (nested mappings and sequences, plain and simply quoted strings, true/false/null, `{}`,
 * `[]`, comments). Anything outside that subset — anchors, tags, flow collections, block or
 * multi-line scalars, escapes, numbers, duplicate keys — returns undefined, and the caller uses
 * the full parser; so the result, when there is one, is what the YAML library would return.
 */

interface Line {
  readonly indent: number;
  readonly text: string;
}

/** Thrown inside the parser when the text leaves the subset; never escapes this module. */
class Unsupported extends Error {}

const KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: +(.*))?$/;
const RESERVED_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

function splitLines(text: string): Line[] | undefined {
  if (text.includes('\t') || text.includes('\r')) {
    return undefined;
  }
  const lines: Line[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i].trimEnd();
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) {
      continue;
    }
    if (body === '---' && lines.length === 0 && line === body) {
      continue; // a leading document marker
    }
    if (line.startsWith('---') || line.startsWith('...') || line.startsWith('%')) {
      return undefined;
    }
    lines.push({ indent: line.length - body.length, text: body });
  }
  return lines;
}

/** The value of a scalar written on one line, or Unsupported when the YAML library might read it differently. */
function scalar(text: string): unknown {
  switch (text) {
    case '{}':
      return {};
    case '[]':
      return [];
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const first = text[0];
  if (first === "'") {
    const m = /^'((?:[^']|'')*)'$/.exec(text);
    if (m === null) {
      throw new Unsupported();
    }
    return m[1].replaceAll("''", "'");
  }
  if (first === '"') {
    const m = /^"([^"\\]*)"$/.exec(text);
    if (m === null) {
      throw new Unsupported();
    }
    return m[1];
  }
  // Indicators, comments, mapping-looking text and anything number-like (ints, floats, .inf, 0x/0o)
  // are left to the full parser.
  // (`--flag`-style words, common in exec plugin args, are plain strings.)
  if ((/^[-?:,[\]{}#&*!|>%@`.+0-9]/.test(text) && !/^--?[A-Za-z]/.test(text)) || text.includes(': ') || text.includes(' #') || text.endsWith(':')) {
    throw new Unsupported();
  }
  return text;
}

class Parser {
  private at = 0;
  private readonly lines: readonly Line[];

  constructor(lines: readonly Line[]) {
    this.lines = lines;
  }

  document(): Record<string, unknown> {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0 || isSeqItem(first.text)) {
      throw new Unsupported();
    }
    const doc = this.mapping(0);
    if (this.at !== this.lines.length) {
      throw new Unsupported();
    }
    return doc;
  }

  /** The block starting at the current line, indented deeper than `parent`; null when there is none. */
  private nested(parent: number, allowSeqAtParent: boolean): unknown {
    const next = this.lines[this.at];
    if (next === undefined) {
      return null;
    }
    if (next.indent > parent) {
      return isSeqItem(next.text) ? this.sequence(next.indent) : this.mapping(next.indent);
    }
    // `key:` followed by `- item` at the key's own indentation is a sequence value.
    if (allowSeqAtParent && next.indent === parent && isSeqItem(next.text)) {
      return this.sequence(parent);
    }
    return null;
  }

  /** The keys at `indent` from the current line on, added to `out`. */
  private mapping(indent: number, out: Record<string, unknown> = {}): Record<string, unknown> {
    for (let line = this.lines[this.at]; line !== undefined && line.indent >= indent; line = this.lines[this.at]) {
      if (line.indent > indent || isSeqItem(line.text)) {
        throw new Unsupported();
      }
      this.at++;
      this.entry(out, line.text, indent);
    }
    return out;
  }

  private entry(out: Record<string, unknown>, text: string, indent: number): void {
    const m = KEY.exec(text);
    if (m === null || RESERVED_KEYS.has(m[1]) || Object.hasOwn(out, m[1])) {
      throw new Unsupported();
    }
    out[m[1]] = m[2] === undefined || m[2] === '' ? this.nested(indent, true) : scalar(m[2]);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.lines[this.at]; line !== undefined && line.indent >= indent; line = this.lines[this.at]) {
      if (line.indent > indent || !isSeqItem(line.text)) {
        if (line.indent === indent) {
          break; // the next key of a mapping that holds this sequence at its own indentation
        }
        throw new Unsupported();
      }
      this.at++;
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        out.push(this.nested(indent, false));
      } else if (isSeqItem(rest)) {
        throw new Unsupported();
      } else if (KEY.test(rest)) {
        // `- key: value` opens a mapping whose keys line up with `key`.
        const inner = indent + (line.text.length - rest.length);
        const item: Record<string, unknown> = {};
        this.entry(item, rest, inner);
        out.push(this.mapping(inner, item));
      } else {
        out.push(scalar(rest));
      }
    }
    return out;
  }
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/**
 * The document in `text` as the YAML library would parse it, when `text` is JSON or simple
 * block YAML whose top level is a mapping; undefined otherwise (use the full parser then).
 */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const doc: unknown = JSON.parse(text);
      return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  const lines = splitLines(text);
  if (lines === undefined) {
    return undefined;
  }
  try {
    return new Parser(lines).document();
  } catch (e) {
    if (e instanceof Unsupported) {
      return undefined;
    }
    throw e;
  }
}
