/**
 * `-o go-template=` / `go-template-file=`: the common subset of Go's text/template executed the
 * way kubectl's GoTemplatePrinter does (missing keys print `<no value>` unless
 * --allow-missing-template-keys=false; `exists` and `base64decode` added), with Go's error
 * texts and kubectl's debugging dump printed to stdout when execution fails.
 */
import { CliError } from '../command.ts';
import { goJson, goPrint, goQuote, isJsonObject } from './gofmt.ts';
import { parseTemplate, TemplateParseError } from './gotemplate-parse.ts';
import type { ArgNode, CommandNode, PipeNode, TemplateNode } from './gotemplate-parse.ts';
import { GoFloat64 } from './jsonpath-eval.ts';
import { callFunction, GoInt, isMissing, MISSING, printed, truth } from './gotemplate-funcs.ts';

/** A failed execution: kubectl prints `stdout` (partial output + debugging dump) before the `error:` line. */
export class GoTemplateExecError extends CliError {
  readonly stdout: string;
  constructor(message: string, stdout: string) {
    super(message);
    this.stdout = stdout;
  }
}

/** A compiled go-template. */
export interface GoTemplate {
  /** Executes against one decoded object; throws GoTemplateExecError (message and stdout as kubectl's). */
  execute(data: unknown, opts?: { readonly allowMissingKeys?: boolean }): string;
}

class ExecFailure extends Error {}

const NO_FINAL = Symbol('no final value');
type Final = unknown;

class BreakSignal {}
class ContinueSignal {}

function argString(n: ArgNode): string {
  switch (n.type) {
    case 'field': return `.${n.ident.join('.')}`;
    case 'variable': return n.ident.join('.');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'identifier': return n.name;
    case 'chain': return `${n.node.type === 'pipe' ? `(${pipeString(n.node)})` : argString(n.node)}.${n.fields.join('.')}`;
    case 'pipe': return `(${pipeString(n)})`;
  }
}

function commandString(c: CommandNode): string {
  return c.args.map(argString).join(' ');
}

function pipeString(p: PipeNode): string {
  const decl = p.decl.length > 0 ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return decl + p.cmds.map(commandString).join(' | ');
}

class Executor {
  out = '';
  private readonly vars: { name: string; value: unknown }[];
  private readonly text: string;
  private readonly missingKeyError: boolean;

  constructor(text: string, data: unknown, missingKeyError: boolean) {
    this.text = text;
    this.vars = [{ name: '$', value: data }];
    this.missingKeyError = missingKeyError;
  }

  private fail(pos: number, context: string, msg: string): never {
    const before = this.text.slice(0, pos);
    const line = before.split('\n').length;
    const col = Buffer.byteLength(before.slice(before.lastIndexOf('\n') + 1));
    const ctx = context.length > 20 ? `${context.slice(0, 20)}...` : context;
    throw new ExecFailure(`template: output:${line}:${col}: executing "output" at <${ctx}>: ${msg}`);
  }

  walkList(dot: unknown, nodes: readonly TemplateNode[]): void {
    for (const n of nodes) {
      this.walk(dot, n);
    }
  }

  private walk(dot: unknown, node: TemplateNode): void {
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.out += isMissing(v) || v === null ? '<no value>' : printed(v);
        }
        return;
      }
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        if (truth(v)) {
          this.walkList(node.type === 'with' ? v : dot, node.list);
        } else if (node.elseList) {
          this.walkList(dot, node.elseList);
        }
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
    }
  }

  private walkRange(dot: unknown, node: Extract<TemplateNode, { readonly pipe: PipeNode; readonly list: readonly TemplateNode[] }>): void {
    const mark = this.vars.length;
    const decl = node.pipe.decl;
    const raw = this.evalPipeline(dot, { ...node.pipe, decl: [] });
    const v = raw instanceof GoInt ? raw.value : raw;
    let entries: [unknown, unknown][];
    if (Array.isArray(v)) {
      entries = v.map((e, i) => [i, e]);
    } else if (isJsonObject(v)) {
      entries = Object.keys(v).sort().map((k) => [k, v[k]]);
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    } else if (isMissing(v) || v === null) {
      entries = [];
    } else {
      this.fail(node.pipe.pos, pipeString(node.pipe), `range can't iterate over ${goPrint(v)}`);
    }
    for (const [key, elem] of entries) {
      const iterMark = this.vars.length;
      if (decl.length === 1) {
        this.vars.push({ name: decl[0] ?? '', value: elem });
      } else if (decl.length === 2) {
        this.vars.push({ name: decl[0] ?? '', value: key }, { name: decl[1] ?? '', value: elem });
      }
      try {
        this.walkList(elem, node.list);
      } catch (err) {
        if (err instanceof BreakSignal) {
          this.vars.length = iterMark;
          break;
        }
        if (!(err instanceof ContinueSignal)) {
          throw err;
        }
      }
      this.vars.length = iterMark;
    }
    if (entries.length === 0 && node.elseList) {
      this.walkList(dot, node.elseList);
    }
    this.vars.length = mark;
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
    }
    if (pipe.isAssign) {
      const name = pipe.decl[0];
      const slot = [...this.vars].reverse().find((v) => v.name === name);
      if (slot) {
        slot.value = value;
      }
    } else {
      for (const name of pipe.decl) {
        this.vars.push({ name, value });
      }
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) {
      const first = args[0];
      this.fail(first?.pos ?? 0, first ? argString(first) : '', `can't give argument to non-function ${first ? argString(first) : ''}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'field': return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': {
        const base = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, base, first, first.fields, cmd.args, final);
      }
      case 'identifier': return this.evalFunction(dot, first.name, cmd, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': {
        const value = this.lookup(first.ident[0] ?? '$');
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final);
          return value;
        }
        return this.evalFieldChain(dot, value, first, first.ident.slice(1), cmd.args, final);
      }
      default:
        break;
    }
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.fail(first.pos, 'nil', 'nil is not a command');
      case 'number': return first.isFloat ? new GoFloat64(first.value) : new GoInt(first.value);
      default: return first.value;
    }
  }

  private lookup(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        return v.value;
      }
    }
    return MISSING;
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: ArgNode, ident: readonly string[], args: readonly ArgNode[], final: Final): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length; i++) {
      const last = i === ident.length - 1;
      r = this.evalField(ident[i] ?? '', node, last ? args : [], last ? final : NO_FINAL, r);
    }
    return r;
  }

  private evalField(name: string, node: ArgNode, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
    const ctx = argString(node);
    if (isMissing(receiver)) {
      if (this.missingKeyError) {
        this.fail(node.pos, ctx, `nil data; no entry for key ${goQuote(name)}`);
      }
      return MISSING;
    }
    if (receiver === null) {
      this.fail(node.pos, ctx, `nil pointer evaluating interface {}.${name}`);
    }
    if (isJsonObject(receiver)) {
      if (args.length > 1 || final !== NO_FINAL) {
        this.fail(node.pos, ctx, `${name} is not a method but has arguments`);
      }
      if (Object.hasOwn(receiver, name)) {
        return receiver[name];
      }
      if (this.missingKeyError) {
        this.fail(node.pos, ctx, `map has no entry for key ${goQuote(name)}`);
      }
      return MISSING;
    }
    return this.fail(node.pos, ctx, `can't evaluate field ${name} in type interface {}`);
  }

  private evalArg(dot: unknown, n: ArgNode): unknown {
    switch (n.type) {
      case 'dot': return dot;
      case 'nil': return null;
      case 'field': return this.evalFieldChain(dot, dot, n, n.ident, [n], NO_FINAL);
      case 'variable': {
        const value = this.lookup(n.ident[0] ?? '$');
        return n.ident.length === 1 ? value : this.evalFieldChain(dot, value, n, n.ident.slice(1), [n], NO_FINAL);
      }
      case 'pipe': return this.evalPipeline(dot, n);
      case 'identifier': return this.evalFunction(dot, n.name, { pos: n.pos, args: [n] }, NO_FINAL);
      case 'chain': return this.evalFieldChain(dot, this.evalArg(dot, n.node), n, n.fields, [n], NO_FINAL);
      case 'bool': return n.value;
      case 'number': return n.isFloat ? new GoFloat64(n.value) : new GoInt(n.value);
      case 'string': return n.value;
    }
  }

  private evalFunction(dot: unknown, name: string, cmd: CommandNode, final: Final): unknown {
    const argNodes = cmd.args.slice(1);
    const lazy = argNodes.map((a) => () => this.evalArg(dot, a));
    if (final !== NO_FINAL) {
      lazy.push(() => final);
    }
    try {
      return callFunction(name, lazy);
    } catch (err) {
      if (err instanceof ExecFailure) {
        throw err;
      }
      return this.fail(cmd.pos, commandString(cmd), `error calling ${name}: ${(err as Error).message}`);
    }
  }
}

/** Parses a go-template; throws CliError `error parsing template <t>, template: output:1: ...`. */
export function compileGoTemplate(template: string): GoTemplate {
  let tree: TemplateNode[];
  try {
    tree = parseTemplate('output', template);
  } catch (err) {
    if (err instanceof TemplateParseError) {
      throw new CliError(`error parsing template ${template}, ${err.message}`);
    }
    throw err;
  }
  return {
    execute(data, opts) {
      const ex = new Executor(template, data, opts?.allowMissingKeys === false);
      try {
        ex.walkList(data, tree);
      } catch (err) {
        if (!(err instanceof ExecFailure)) {
          throw err;
        }
        const dump = `Error executing template: ${err.message}. Printing more information for debugging the template:\n` +
          `\ttemplate was:\n\t\t${template}\n` +
          `\traw data was:\n\t\t${goJson(data)}\n` +
          `\tobject given to template engine was:\n\t\t${goPrint(data)}\n\n`;
        throw new GoTemplateExecError(`error executing template ${goQuote(template)}: ${err.message}`, ex.out + dump);
      }
      return ex.out;
    },
  };
}
