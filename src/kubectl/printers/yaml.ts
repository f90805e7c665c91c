/**
 * YAML exactly as kubectl prints it (sigs.k8s.io/yaml → go-yaml v2): keys in go-yaml's natural
 * order, sequences not indented under their key, strings plain / 'single' / "double" / `|`
 * literal by go-yaml's rules, long plain and quoted strings folded at column 80.
 */

const BEST_WIDTH = 80;

/** go-yaml v2's key order (sorter.go): letters before other runes after a digit run, numbers compared by value. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);
  const isLetter = (c: string): boolean => /\p{L}/u.test(c);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]);
      continue;
    }
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) {
      return ar[i] < br[i];
    }
    if (al || bl) {
      return digits ? al : bl;
    }
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) {
      an = an * 10 + Number(ar[ai]);
    }
    for (; bi < br.length && isDigit(br[bi]); bi++) {
      bn = bn * 10 + Number(br[bi]);
    }
    if (an !== bn) {
      return an < bn;
    }
    if (ai !== bi) {
      return ai < bi;
    }
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
}

/** True when go-yaml would resolve the plain text to something other than a string (so it must be quoted). */
function resolvesToNonString(s: string): boolean {
  if (s === '' || s === '~') {
    return true;
  }
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/.test(s)) {
    return true;
  }
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(s) || /^(\.nan|\.NaN|\.NAN)$/.test(s)) {
    return true;
  }
  if (s === '<<') {
    return true;
  }
  // Numbers as go-yaml v2 resolves them: ints (decimal, 0x, 0o-less octal, 0b, underscores), floats, base-60.
  const plain = s.replace(/_/g, '');
  if (/^[-+]?(0b[01]+|0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(plain)) {
    return true;
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) {
    return true;
  }
  if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(s)) {
    return true;
  }
  // Timestamps in the layouts go-yaml v2 parses (then it quotes them to keep them strings).
  return /^\d{4}-\d{1,2}-\d{1,2}(([Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))|( \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?))?$/.test(s);
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlankz = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || isBreak(c) || c === '\0';

function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** go-yaml's yaml_emitter_analyze_scalar, reduced to what the block-context style choice needs. */
function analyze(s: string): Analysis {
  const cs = [...s];
  if (cs.length === 0) {
    return { multiline: false, blockPlainAllowed: false, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (s.startsWith('---') || s.startsWith('...')) {
    blockIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const followedByWhitespace = isBlankz(cs[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        blockIndicators = true;
      }
      if ((c === '?' || c === ':') && followedByWhitespace) {
        blockIndicators = true;
      }
      if (c === '-' && followedByWhitespace) {
        blockIndicators = true;
      }
    } else {
      if (c === ':' && followedByWhitespace) {
        blockIndicators = true;
      }
      if (c === '#' && precededByWhitespace) {
        blockIndicators = true;
      }
    }
    if (!isPrintable(c)) {
      specialCharacters = true;
    }
    if (isBreak(c)) {
      lineBreaks = true;
    }
    if (c === ' ') {
      if (i === 0) {
        leadingSpace = true;
      }
      if (i === cs.length - 1) {
        trailingSpace = true;
      }
      if (previousBreak) {
        breakSpace = true;
      }
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) {
        leadingBreak = true;
      }
      if (i === cs.length - 1) {
        trailingBreak = true;
      }
      if (previousSpace) {
        spaceBreak = true;
      }
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    blockPlainAllowed = false;
  }
  if (trailingSpace) {
    blockAllowed = false;
  }
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) {
    blockPlainAllowed = false;
  }
  if (blockIndicators) {
    blockPlainAllowed = false;
  }
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

/** Writes text with go-yaml's folding: a single space past column 80 becomes a line break + indent. */
function fold(text: string, startColumn: number, indent: number, allowBreaks: boolean, kind: 'plain' | 'single'): string {
  if (!allowBreaks) {
    return text;
  }
  const cs = [...text];
  let out = '';
  let column = startColumn;
  let spaces = false;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (c === ' ') {
      const inside = kind === 'plain' || (i > 0 && i < cs.length - 1);
      if (!spaces && column > BEST_WIDTH && inside && cs[i + 1] !== ' ') {
        out += `\n${' '.repeat(indent)}`;
        column = indent;
      } else {
        out += c;
        column++;
      }
      spaces = true;
    } else {
      out += c;
      column++;
      spaces = false;
    }
  }
  return out;
}

function doubleQuoted(s: string, startColumn: number, indent: number, allowBreaks: boolean): string {
  const cs = [...s];
  let out = '"';
  let column = startColumn + 1;
  let spaces = false;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
      let esc: string;
      switch (c) {
        case '\0':
          esc = '\\0';
          break;
        case '\x07':
          esc = '\\a';
          break;
        case '\b':
          esc = '\\b';
          break;
        case '\t':
          esc = '\\t';
          break;
        case '\n':
          esc = '\\n';
          break;
        case '\x0b':
          esc = '\\v';
          break;
        case '\f':
          esc = '\\f';
          break;
        case '\r':
          esc = '\\r';
          break;
        case '\x1b':
          esc = '\\e';
          break;
        case '"':
          esc = '\\"';
          break;
        case '\\':
          esc = '\\\\';
          break;
        case '\u0085':
          esc = '\\N';
          break;
        case '\u00a0':
          esc = '\\_';
          break;
        case '\u2028':
          esc = '\\L';
          break;
        case '\u2029':
          esc = '\\P';
          break;
        default:
          esc = cp <= 0xff ? `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}` : cp <= 0xffff ? `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}` : `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
      }
      out += esc;
      column += esc.length;
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && column > BEST_WIDTH && i !== 0 && i !== cs.length - 1) {
        out += `\n${' '.repeat(indent)}`;
        column = indent;
        if (cs[i + 1] === ' ') {
          out += '\\';
          column++;
        }
      } else {
        out += c;
        column++;
      }
      spaces = true;
    } else {
      out += c;
      column++;
      spaces = false;
    }
  }
  return `${out}"`;
}

function literal(s: string, indent: number): string {
  let chomp = '';
  if (!isBreak(s.at(-1))) {
    chomp = '-';
  } else if (s.length === 1 || isBreak(s.at(-2))) {
    chomp = '+';
  }
  const indicator = s.startsWith(' ') || isBreak(s[0]) ? '2' : '';
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  const lines = body.split('\n').map((l) => (l === '' ? '' : `${' '.repeat(indent)}${l}`));
  return `|${indicator}${chomp}\n${lines.join('\n')}`;
}

/**
 * One scalar string as go-yaml writes it at `column` (where it starts), continuation lines at
 * `indent`. `isKey`: simple-key context (no folding, no block styles).
 */
export function yamlString(s: string, column: number, indent: number, isKey = false): string {
  const a = analyze(s);
  const wantPlain = !resolvesToNonString(s);
  if (a.multiline && !isKey && a.blockAllowed) {
    return literal(s, indent);
  }
  if (wantPlain && !a.multiline && a.blockPlainAllowed && s !== '') {
    return fold(s, column, indent, !isKey, 'plain');
  }
  if (wantPlain && !a.multiline && a.singleQuotedAllowed) {
    return `'${fold(s.replace(/'/g, "''"), column + 1, indent, !isKey, 'single')}'`;
  }
  return doubleQuoted(s, column, indent, !isKey);
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    return String(n);
  }
  if (!Number.isFinite(n)) {
    return Number.isNaN(n) ? '.nan' : n > 0 ? '+.inf' : '-.inf';
  }
  // Go's strconv.FormatFloat(f, 'g', -1, 64): exponent form below 1e-4 or from 1e21, with a two-digit exponent.
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

function scalar(v: unknown, column: number, indent: number): string {
  if (v === null || v === undefined) {
    return 'null';
  }
  if (typeof v === 'boolean') {
    return String(v);
  }
  if (typeof v === 'number') {
    return formatNumber(v);
  }
  return yamlString(String(v), column, indent);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lines of a block node whose first line starts at `column` on a line already indented to `indent`. */
function node(v: unknown, indent: number, column: number, out: string[], prefix: string): void {
  if (isMap(v)) {
    const keys = sortedKeys(v);
    if (keys.length === 0) {
      out.push(`${prefix}{}`);
      return;
    }
    keys.forEach((k, i) => {
      const lead = i === 0 ? prefix : ' '.repeat(indent);
      const key = yamlString(k, indent, indent, true);
      mapValue(v[k], indent, `${lead}${key}:`, out);
    });
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`${prefix}[]`);
      return;
    }
    v.forEach((item, i) => {
      const lead = `${i === 0 ? prefix : ' '.repeat(indent)}- `;
      node(item, indent + 2, indent + 2, out, lead);
    });
    return;
  }
  out.push(`${prefix}${scalar(v, column, indent)}`);
}

function mapValue(v: unknown, indent: number, keyPart: string, out: string[]): void {
  if (isMap(v) && Object.keys(v).length > 0) {
    out.push(keyPart);
    node(v, indent + 2, indent + 2, out, ' '.repeat(indent + 2));
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    // go-yaml does not indent a sequence under its mapping key.
    out.push(keyPart);
    node(v, indent, indent, out, ' '.repeat(indent));
    return;
  }
  const column = [...keyPart].length + 1;
  if (isMap(v) || Array.isArray(v)) {
    out.push(`${keyPart} ${Array.isArray(v) ? '[]' : '{}'}`);
    return;
  }
  out.push(`${keyPart} ${scalar(v, column, indent + 2)}`);
}

/** A JSON-compatible value as kubectl's YAML printer writes it (ends with a newline). */
export function toYaml(v: unknown): string {
  const out: string[] = [];
  node(v, 0, 0, out, '');
  return `${out.join('\n')}\n`;
}
