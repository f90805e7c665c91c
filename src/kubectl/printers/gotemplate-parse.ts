/**
 * Lexer and parser for the Go text/template subset kubectl users write: text, `{{- -}}` trims,
 * comments, pipelines, fields and chains, variables (`$x :=`, `$x =`), literals, parentheses,
 * if/else if/else, range (with `$i, $e :=`, else, break, continue), with/else. Errors read as
 * Go's (`template: output:1: unclosed action`).
 */

/** A parse error; `message` is Go's full text. */
export class TemplateParseError extends Error {}

/** Argument and command nodes; `pos` is the UTF-16 offset of the token in the template. */
export type ArgNode =
  | { readonly type: 'field'; readonly pos: number; readonly ident: readonly string[] }
  | { readonly type: 'variable'; readonly pos: number; readonly ident: readonly string[] }
  | { readonly type: 'dot'; readonly pos: number }
  | { readonly type: 'nil'; readonly pos: number }
  | { readonly type: 'bool'; readonly pos: number; readonly value: boolean }
  | { readonly type: 'number'; readonly pos: number; readonly text: string; readonly value: number; readonly isFloat: boolean }
  | { readonly type: 'string'; readonly pos: number; readonly quoted: string; readonly value: string }
  | { readonly type: 'identifier'; readonly pos: number; readonly name: string }
  | { readonly type: 'chain'; readonly pos: number; readonly node: ArgNode; readonly fields: readonly string[] }
  | PipeNode;

/** A command: a function/field/value and its arguments. */
export interface CommandNode {
  readonly pos: number;
  readonly args: readonly ArgNode[];
}

/** `decl := cmd | cmd ...` */
export interface PipeNode {
  readonly type: 'pipe';
  readonly pos: number;
  readonly decl: readonly string[];
  readonly isAssign: boolean;
  readonly cmds: readonly CommandNode[];
}

/** Statement nodes of a list. */
export type TemplateNode =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'action'; readonly pos: number; readonly pipe: PipeNode }
  | { readonly type: 'if' | 'with' | 'range'; readonly pos: number; readonly pipe: PipeNode; readonly list: readonly TemplateNode[]; readonly elseList?: readonly TemplateNode[] }
  | { readonly type: 'break' | 'continue'; readonly pos: number };

type ItemType = 'text' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'identifier' | 'keyword' | 'string' | 'rawString' | 'char' |
  'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'declare' | 'assign' | 'leftParen' | 'rightParen' | 'comma' | 'eof';

interface Item {
  readonly type: ItemType;
  readonly pos: number;
  readonly val: string;
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);

/** The functions the template may call (Go's builtins plus kubectl's `exists` and `base64decode`). */
export const templateFunctions = new Set(['and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  'html', 'js', 'urlquery', 'call', 'exists', 'base64decode']);

function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      n++;
    }
  }
  return n;
}

const isSpaceChar = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[_\p{L}\p{Nd}]$/u.test(c);

/** Splits a template into items (Go's lex.go, reduced). */
function lex(text: string, fail: (pos: number, msg: string) => never): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let parenDepth = 0;
  while (pos < text.length) {
    const open = text.indexOf('{{', pos);
    const textEnd = open < 0 ? text.length : open;
    let chunk = text.slice(pos, textEnd);
    const trimLeft = open >= 0 && text[open + 2] === '-' && isSpaceChar(text[open + 3]);
    if (trimLeft) {
      chunk = chunk.replace(/[ \t\r\n]+$/, '');
    }
    if (chunk !== '') {
      items.push({ type: 'text', pos, val: chunk });
    }
    if (open < 0) {
      break;
    }
    pos = open + 2 + (trimLeft ? 2 : 0);
    // Comments: {{/* ... */}}
    if (text.startsWith('/*', pos)) {
      const close = text.indexOf('*/', pos + 2);
      if (close < 0) {
        fail(pos, 'unclosed comment');
      }
      pos = close + 2;
      const trimRight = text.startsWith(' -}}', pos) || text.startsWith('\t-}}', pos) || text.startsWith('\n-}}', pos);
      if (!trimRight && !text.startsWith('}}', pos)) {
        fail(pos, 'comment ends before closing delimiter');
      }
      pos += trimRight ? 4 : 2;
      if (trimRight) {
        pos += /^[ \t\r\n]*/.exec(text.slice(pos))?.[0].length ?? 0;
      }
      continue;
    }
    items.push({ type: 'left', pos: open, val: '{{' });
    for (;;) {
      const c = text[pos];
      if (isSpaceChar(c) && text.startsWith('-}}', pos + 1)) {
        items.push({ type: 'right', pos: pos + 1, val: '}}' });
        pos += 4;
        pos += /^[ \t\r\n]*/.exec(text.slice(pos))?.[0].length ?? 0;
        break;
      }
      if (text.startsWith('}}', pos)) {
        if (parenDepth > 0) {
          fail(pos, 'unclosed left paren');
        }
        items.push({ type: 'right', pos, val: '}}' });
        pos += 2;
        break;
      }
      if (c === undefined || ((c === '\n' || c === '\r') && false)) {
        fail(pos, 'unclosed action');
      }
      const start = pos;
      if (isSpaceChar(c)) {
        while (isSpaceChar(text[pos]) && !(text.startsWith('-}}', pos + 1))) {
          pos++;
        }
        if (pos === start) {
          pos++;
        }
        items.push({ type: 'space', pos: start, val: text.slice(start, pos) });
      } else if (c === '|') {
        items.push({ type: 'pipe', pos: pos++, val: '|' });
      } else if (c === '(') {
        parenDepth++;
        items.push({ type: 'leftParen', pos: pos++, val: '(' });
      } else if (c === ')') {
        if (--parenDepth < 0) {
          fail(pos, 'unexpected right paren');
        }
        items.push({ type: 'rightParen', pos: pos++, val: ')' });
      } else if (c === ',') {
        items.push({ type: 'comma', pos: pos++, val: ',' });
      } else if (c === ':' ) {
        if (text[pos + 1] !== '=') {
          fail(pos, 'expected :=');
        }
        items.push({ type: 'declare', pos, val: ':=' });
        pos += 2;
      } else if (c === '=') {
        items.push({ type: 'assign', pos: pos++, val: '=' });
      } else if (c === '"' || c === '`' || c === "'") {
        pos++;
        while (text[pos] !== c) {
          if (text[pos] === undefined || (c !== '`' && text[pos] === '\n')) {
            fail(start, c === '`' ? 'unterminated raw quoted string' : c === "'" ? 'unterminated character constant' : 'unterminated quoted string');
          }
          pos += c !== '`' && text[pos] === '\\' ? 2 : 1;
        }
        pos++;
        items.push({ type: c === '"' ? 'string' : c === '`' ? 'rawString' : 'char', pos: start, val: text.slice(start, pos) });
      } else if (c === '$' || (c === '.' && isAlnum(text[pos + 1]) && !/\d/.test(text[pos + 1] ?? ''))) {
        pos++;
        while (isAlnum(text[pos])) {
          pos++;
        }
        items.push({ type: c === '$' ? 'variable' : 'field', pos: start, val: text.slice(start, pos) });
      } else if (c === '.' && !/\d/.test(text[pos + 1] ?? '')) {
        items.push({ type: 'dot', pos: pos++, val: '.' });
      } else if (/[0-9+\-.]/.test(c ?? '')) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(text.slice(pos));
        const num = m?.[0] ?? '';
        pos += Math.max(num.length, 1);
        if (isAlnum(text[pos]) || num === '' || num === '+' || num === '-' || num === '.') {
          while (isAlnum(text[pos])) {
            pos++;
          }
          fail(start, `bad number syntax: "${text.slice(start, pos)}"`);
        }
        items.push({ type: 'number', pos: start, val: num });
      } else if (isAlnum(c)) {
        while (isAlnum(text[pos])) {
          pos++;
        }
        const word = text.slice(start, pos);
        const type: ItemType = keywords.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier';
        items.push({ type, pos: start, val: word });
      } else {
        const cp = (c ?? '').codePointAt(0) ?? 0;
        fail(pos, `bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c ?? ''}'`);
      }
    }
  }
  items.push({ type: 'eof', pos: text.length, val: '' });
  return items;
}

/** Go's strconv.Unquote for the template's string literals. */
function unquoteGo(quoted: string): string {
  if (quoted.startsWith('`')) {
    return quoted.slice(1, -1);
  }
  const body = quoted.slice(1, -1);
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    if (e in simple) {
      return simple[e] ?? '';
    }
    if (/^[xuU]/.test(e)) {
      return String.fromCodePoint(parseInt(e.slice(1), 16));
    }
    if (/^[0-7]{3}$/.test(e)) {
      return String.fromCharCode(parseInt(e, 8));
    }
    throw new TemplateParseError('invalid syntax');
  });
}

/** Parses a template named `name` (kubectl names it "output"). */
export function parseTemplate(name: string, text: string): TemplateNode[] {
  const fail = (pos: number, msg: string): never => {
    throw new TemplateParseError(`template: ${name}:${lineOf(text, pos)}: ${msg}`);
  };
  const items = lex(text, fail);
  let i = 0;
  const vars: string[] = ['$'];
  let rangeDepth = 0;

  const next = (): Item => items[i++] ?? { type: 'eof', pos: text.length, val: '' };
  const peek = (): Item => items[i] ?? { type: 'eof', pos: text.length, val: '' };
  const nextNonSpace = (): Item => {
    let t = next();
    while (t.type === 'space') {
      t = next();
    }
    return t;
  };
  const peekNonSpace = (): Item => {
    const save = i;
    const t = nextNonSpace();
    i = save;
    return t;
  };
  const describe = (t: Item): string => (t.type === 'eof' ? 'EOF' : t.type === 'right' ? '"}}"' : t.type === 'keyword' ? `<${t.val}>` : `<${t.val}>`);
  const unexpected = (t: Item, context: string): never => fail(t.pos, `unexpected ${describe(t)} in ${context}`);

  function term(): ArgNode | undefined {
    const t = nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!templateFunctions.has(t.val)) {
          fail(t.pos, `function "${t.val}" not defined`);
        }
        return { type: 'identifier', pos: t.pos, name: t.val };
      case 'dot': return { type: 'dot', pos: t.pos };
      case 'nil': return { type: 'nil', pos: t.pos };
      case 'variable': {
        if (!vars.includes(t.val)) {
          fail(t.pos, `undefined variable "${t.val}"`);
        }
        return { type: 'variable', pos: t.pos, ident: [t.val] };
      }
      case 'field': return { type: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool': return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'number':
      case 'char': {
        if (t.type === 'char') {
          const ch = unquoteGo(`"${t.val.slice(1, -1)}"`);
          return { type: 'number', pos: t.pos, text: t.val, value: ch.codePointAt(0) ?? 0, isFloat: false };
        }
        const clean = t.val.replaceAll('_', '');
        const isFloat = !/^[+-]?(0[xX][0-9a-fA-F]+|\d+)$/.test(clean);
        return { type: 'number', pos: t.pos, text: t.val, value: Number(clean), isFloat };
      }
      case 'leftParen': return pipeline('parenthesized pipeline', 'rightParen', t.pos);
      case 'string':
      case 'rawString': return { type: 'string', pos: t.pos, quoted: t.val, value: unquoteGo(t.val) };
      default:
        i--;
        return undefined;
    }
  }

  function operand(): ArgNode | undefined {
    const node = term();
    if (node === undefined) {
      return undefined;
    }
    if (peek().type !== 'field') {
      return node;
    }
    const chainPos = peek().pos;
    const fields: string[] = [];
    while (peek().type === 'field') {
      fields.push(next().val.slice(1));
    }
    switch (node.type) {
      case 'field': return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'variable': return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        return fail(chainPos, `unexpected . after term "${node.type === 'string' ? node.quoted : node.type === 'number' ? node.text : node.type === 'dot' ? '.' : String(node.type === 'bool' ? node.value : 'nil')}"`);
      default: return { type: 'chain', pos: chainPos, node, fields };
    }
  }

  function command(): CommandNode {
    const args: ArgNode[] = [];
    const pos = peekNonSpace().pos;
    for (;;) {
      const op = operand();
      if (op !== undefined) {
        args.push(op);
      }
      const t = next();
      if (t.type === 'space') {
        continue;
      }
      if (t.type === 'right' || t.type === 'rightParen') {
        i--;
      } else if (t.type !== 'pipe') {
        unexpected(t, 'operand');
      }
      break;
    }
    if (args.length === 0) {
      fail(pos, 'empty command');
    }
    return { pos, args };
  }

  function pipeline(context: string, end: 'right' | 'rightParen', _at: number): PipeNode {
    const pos = peekNonSpace().pos;
    const decl: string[] = [];
    let isAssign = false;
    const v = peekNonSpace();
    if (v.type === 'variable') {
      const save = i;
      nextNonSpace();
      const after = peekNonSpace();
      if (after.type === 'declare' || after.type === 'assign') {
        nextNonSpace();
        isAssign = after.type === 'assign';
        decl.push(v.val);
        if (!isAssign) {
          vars.push(v.val);
        }
      } else if (after.type === 'comma' && context === 'range') {
        nextNonSpace();
        const second = nextNonSpace();
        const op = nextNonSpace();
        if (second.type !== 'variable' || op.type !== 'declare') {
          fail(second.pos, 'range can only initialize variables');
        }
        decl.push(v.val, second.val);
        vars.push(v.val, second.val);
      } else {
        i = save;
      }
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = nextNonSpace();
      if (t.type === end) {
        if (cmds.length === 0) {
          fail(t.pos, `missing value for ${context}`);
        }
        for (const [n, c] of cmds.entries()) {
          const first = c.args[0];
          if (n > 0 && first && ['bool', 'dot', 'nil', 'number', 'string'].includes(first.type)) {
            fail(first.pos, `non executable command in pipeline stage ${n + 1}`);
          }
        }
        return { type: 'pipe', pos, decl, isAssign, cmds };
      }
      if (['bool', 'char', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen'].includes(t.type)) {
        i--;
        cmds.push(command());
      } else {
        unexpected(t, context);
      }
    }
  }

  /** Parses statements until `{{end}}`/`{{else}}` (returned) or EOF. */
  function list(top: boolean): { nodes: TemplateNode[]; stop?: 'end' | 'else' } {
    const nodes: TemplateNode[] = [];
    for (;;) {
      const t = next();
      if (t.type === 'eof') {
        if (!top) {
          fail(t.pos, 'unexpected EOF');
        }
        return { nodes };
      }
      if (t.type === 'text') {
        nodes.push({ type: 'text', text: t.val });
        continue;
      }
      // t is '{{'
      const k = nextNonSpace();
      if (k.type === 'keyword') {
        switch (k.val) {
          case 'end':
          case 'else':
            if (top) {
              fail(k.pos, `unexpected {{${k.val}}}`);
            }
            if (k.val === 'end' || !['if', 'with'].includes(peekNonSpace().val)) {
              const r = nextNonSpace();
              if (r.type !== 'right') {
                unexpected(r, k.val);
              }
            }
            return { nodes, stop: k.val };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(control(k.val, k.pos));
            continue;
          case 'break':
          case 'continue': {
            if (rangeDepth === 0) {
              fail(k.pos, `{{${k.val}}} outside {{range}}`);
            }
            const r = nextNonSpace();
            if (r.type !== 'right') {
              unexpected(r, k.val);
            }
            nodes.push({ type: k.val, pos: k.pos });
            continue;
          }
          default:
            fail(k.pos, `{{${k.val}}} is not supported by this template engine`);
        }
      }
      i--;
      nodes.push({ type: 'action', pos: k.pos, pipe: pipeline('command', 'right', k.pos) });
    }
  }

  function control(kind: 'if' | 'with' | 'range', pos: number): TemplateNode {
    const mark = vars.length;
    const pipe = pipeline(kind, 'right', pos);
    if (kind === 'range') {
      rangeDepth++;
    }
    const body = list(false);
    if (kind === 'range') {
      rangeDepth--;
    }
    let elseList: TemplateNode[] | undefined;
    if (body.stop === 'else') {
      const nested = peekNonSpace();
      if ((kind === 'if' || kind === 'with') && nested.val === kind) {
        // `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}` sharing one {{end}}.
        nextNonSpace();
        elseList = [control(kind, nested.pos)];
      } else {
        const rest = list(false);
        if (rest.stop === 'else') {
          fail(pos, `expected end; found {{else}}`);
        }
        elseList = rest.nodes;
      }
    }
    vars.length = mark;
    return { type: kind, pos, pipe, list: body.nodes, ...(elseList ? { elseList } : {}) };
  }

  return list(true).nodes;
}
