/**
 * Executes a parsed kubectl JSONPath template against decoded JSON, with client-go's semantics:
 * Go's kinds (map, slice, string, int64, float64, bool, nil), its error texts, text/template's
 * comparison rules for filters, and `{range}` blocks that repeat the actions up to `{end}`.
 */
import { goPrint, isGoInt, isJsonObject } from './gofmt.ts';
import type { JpNode, ListNode, SliceParam } from './jsonpath.ts';

/** A float literal of the template (`1.0`): Go keeps it float64 even when it is integral. */
export class GoFloat64 {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

type GoKind = 'nil' | 'map' | 'slice' | 'string' | 'int' | 'float' | 'bool';

function kindOf(v: unknown): GoKind {
  if (v === null || v === undefined) {
    return 'nil';
  }
  if (v instanceof GoFloat64) {
    return 'float';
  }
  if (Array.isArray(v)) {
    return 'slice';
  }
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return isGoInt(v) ? 'int' : 'float';
    default: return 'map';
  }
}

const typeNames: Record<GoKind, string> = {
  nil: 'interface {}', map: 'map[string]interface {}', slice: '[]interface {}', string: 'string', int: 'int64', float: 'float64', bool: 'bool',
};

/** Children of a value as Go's reflection walks them: map values (sorted keys), slice elements, a string's bytes. */
function children(v: unknown): unknown[] {
  if (Array.isArray(v)) {
    return v as unknown[];
  }
  if (typeof v === 'string') {
    return [...Buffer.from(v, 'utf8')];
  }
  if (isJsonObject(v)) {
    return Object.keys(v).sort().map((k) => v[k]);
  }
  return [];
}

const badComparison = 'incompatible types for comparison';
const badComparisonType = 'invalid type for comparison';

function comparable(a: unknown, b: unknown): { ka: GoKind; x: unknown; y: unknown } {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || ka === 'map' || ka === 'slice' || kb === 'nil' || kb === 'map' || kb === 'slice') {
    throw new Error(badComparisonType);
  }
  if (ka !== kb) {
    throw new Error(badComparison);
  }
  const plain = (v: unknown): unknown => (v instanceof GoFloat64 ? v.value : v);
  return { ka, x: plain(a), y: plain(b) };
}

function goEqual(a: unknown, b: unknown): boolean {
  const { x, y } = comparable(a, b);
  return x === y;
}

function goLess(a: unknown, b: unknown): boolean {
  const { ka, x, y } = comparable(a, b);
  if (ka === 'bool') {
    throw new Error(badComparisonType);
  }
  return (x as number | string) < (y as number | string);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '<': return goLess(a, b);
    case '>': return !(goLess(a, b) || goEqual(a, b));
    case '==': return goEqual(a, b);
    case '!=': return !goEqual(a, b);
    case '<=': return goLess(a, b) || goEqual(a, b);
    case '>=': return !goLess(a, b);
    default: throw new Error(`unrecognized filter operator ${op}`);
  }
}

function leadingIdentifier(node: JpNode | undefined): string | undefined {
  if (node?.kind !== 'list') {
    return undefined;
  }
  const first = node.nodes[0];
  return first?.kind === 'identifier' ? first.name : undefined;
}

/** One execution (holds the allow-missing-keys switch); `run` returns each printed action's results. */
export class JsonPathEngine {
  private readonly allowMissingKeys: boolean;

  constructor(allowMissingKeys: boolean) {
    this.allowMissingKeys = allowMissingKeys;
  }

  run(root: ListNode, data: unknown): unknown[][] {
    const out: unknown[][] = [];
    this.block(root.nodes, 0, data, out, false);
    return out;
  }

  /** Runs actions from `i` until a matching `{end}` (or the template's end); returns the index after it. */
  private block(nodes: readonly JpNode[], from: number, cur: unknown, out: unknown[][], inRange: boolean): number {
    let i = from;
    while (i < nodes.length) {
      const node = nodes[i] as JpNode;
      const ident = leadingIdentifier(node);
      if (ident === 'end') {
        if (!inRange) {
          throw new Error('not in range, nothing to end');
        }
        return i + 1;
      }
      if (ident === 'range' && node.kind === 'list') {
        const values = this.evalList([cur], node.nodes.slice(1));
        const after = this.skipBlock(nodes, i + 1);
        for (const value of values) {
          this.block(nodes, i + 1, value, out, true);
        }
        i = after;
        continue;
      }
      out.push(this.walk([cur], node));
      i++;
    }
    return i;
  }

  private skipBlock(nodes: readonly JpNode[], from: number): number {
    let depth = 0;
    for (let i = from; i < nodes.length; i++) {
      const ident = leadingIdentifier(nodes[i]);
      if (ident === 'range') {
        depth++;
      } else if (ident === 'end') {
        if (depth === 0) {
          return i + 1;
        }
        depth--;
      }
    }
    return nodes.length;
  }

  private evalList(input: unknown[], nodes: readonly JpNode[]): unknown[] {
    let cur = input;
    for (const n of nodes) {
      cur = this.walk(cur, n);
    }
    return cur;
  }

  private walk(input: unknown[], node: JpNode): unknown[] {
    switch (node.kind) {
      case 'list': return this.evalList(input, node.nodes);
      case 'text': return [node.text];
      case 'field': return this.evalField(input, node.name);
      case 'array': return this.evalArray(input, node.params);
      case 'filter': return this.evalFilter(input, node);
      case 'int':
      case 'bool': return input.map(() => node.value);
      case 'float': return input.map(() => new GoFloat64(node.value));
      case 'wildcard': return input.filter((v) => v !== null && v !== undefined).flatMap(children);
      case 'recursive': return this.evalRecursive(input);
      case 'union': return node.nodes.flatMap((list) => this.evalList(input, list.nodes));
      case 'identifier':
        if (node.name === 'range' || node.name === 'end') {
          return node.name === 'range' ? input : [];
        }
        throw new Error(`unrecognized identifier ${node.name}`);
    }
  }

  private evalField(input: unknown[], name: string): unknown[] {
    if (input.length === 0) {
      return [];
    }
    const results: unknown[] = [];
    for (const v of input) {
      if (isJsonObject(v) && Object.hasOwn(v, name)) {
        results.push(v[name]);
      }
    }
    if (results.length === 0 && !this.allowMissingKeys) {
      throw new Error(`${name} is not found`);
    }
    return results;
  }

  private evalArray(input: unknown[], params: readonly [SliceParam, SliceParam, SliceParam]): unknown[] {
    const result: unknown[] = [];
    for (const v of input) {
      if (v === null || v === undefined) {
        continue;
      }
      if (!Array.isArray(v)) {
        throw new Error(`${typeNames[kindOf(v)]} is not array or slice`);
      }
      const len = v.length;
      let start = params[0].known ? params[0].value : 0;
      if (start < 0) {
        start += len;
      }
      let end = params[1].known ? params[1].value : len;
      if (end < 0 || (end === 0 && params[1].derived)) {
        end += len;
      }
      if (end === start) {
        // Upstream returns here, skipping any further inputs.
        return result;
      }
      if (start >= len || start < 0) {
        throw new Error(`array index out of bounds: index ${start}, length ${len}`);
      }
      if (end > len || end < 0) {
        throw new Error(`array index out of bounds: index ${end - 1}, length ${len}`);
      }
      if (start > end) {
        throw new Error(`starting index ${start} is greater than ending index ${end}`);
      }
      let step = 1;
      if (params[2].known) {
        if (params[2].value <= 0) {
          throw new Error('step must be > 0');
        }
        step = params[2].value;
      }
      for (let i = start; i < end; i += step) {
        result.push(v[i]);
      }
    }
    return result;
  }

  private evalRecursive(input: unknown[]): unknown[] {
    const result: unknown[] = [];
    for (const v of input) {
      if (v === null || v === undefined) {
        continue;
      }
      const kids = children(v);
      if (kids.length > 0) {
        result.push(v, ...this.evalRecursive(kids));
      }
    }
    return result;
  }

  private evalFilter(input: unknown[], node: Extract<JpNode, { kind: 'filter' }>): unknown[] {
    const results: unknown[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) {
        throw new Error(`${goPrint(v)} is not array or slice and cannot be filtered`);
      }
      for (const item of v as unknown[]) {
        let lefts: unknown[] = [];
        let failure: unknown;
        try {
          lefts = this.evalList([item], node.left.nodes);
        } catch (err) {
          failure = err;
        }
        if (node.op === 'exists') {
          if (lefts.length > 0) {
            results.push(item);
          }
          continue;
        }
        if (failure !== undefined) {
          throw failure;
        }
        if (lefts.length === 0) {
          continue;
        }
        if (lefts.length > 1) {
          throw new Error('can only compare one element at a time');
        }
        const rights = this.evalList([item], node.right.nodes);
        if (rights.length === 0) {
          continue;
        }
        if (rights.length > 1) {
          throw new Error('can only compare one element at a time');
        }
        if (compare(node.op, lefts[0], rights[0])) {
          results.push(item);
        }
      }
    }
    return results;
  }
}
