/**
 * Reads upstream Go API type sources (k8s.io/api, apimachinery, apiextensions, kube-aggregator)
 * and extracts the few facts the client-node models lack: which package declares a type, the
 * list/map/patch markers of each field, which fields are Quantities, and GroupName per package.
 * Used only by scripts/gen-schemas.ts at generation time, never at run time.
 */

/** Facts about one struct field, keyed by its JSON name. */
export interface FieldFacts {
  patchMergeKey?: string;
  patchStrategy?: string;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
  /** The field is (a list/map of) resource.Quantity. */
  quantity?: boolean;
  /** The Go doc comment, for fields of named types (client-node drops those descriptions). */
  doc?: string;
  /** Values of a `+enum` string type, sorted, and upstream's "Possible enum values" lines. */
  enum?: string[];
  enumLines?: string[];
  /** A `+default=<json>` marker's value (ref(...) defaults are not carried). */
  default?: unknown;
}

/** Names collected across all parsed packages: non-struct type declarations and `+enum` types with their constants. */
export interface GoScope {
  aliases: Map<string, string>;
  enumTypes: Set<string>;
  /** type name → constants of that type (first declaration of a value wins). */
  consts: Map<string, { name: string; value: string; comment: string }[]>;
}

/** An empty scope, to be filled by a first parseGoFile pass over every file. */
export function newGoScope(): GoScope {
  return { aliases: new Map(), enumTypes: new Set(), consts: new Map() };
}

const constLine = /^\s*(?:const\s+)?(\w+)\s+(\w+)\s*=\s*"([^"]*)"/;

function enumFacts(goType: string, scope: GoScope): Pick<FieldFacts, 'enum' | 'enumLines'> | undefined {
  const t = goType.replace(/^\*/, '');
  if (t.startsWith('[]') || t.startsWith('map[')) {
    return undefined;
  }
  const base = t.includes('.') ? t.slice(t.lastIndexOf('.') + 1) : t;
  const values = scope.enumTypes.has(base) ? scope.consts.get(base) : undefined;
  if (values === undefined || values.length === 0) {
    return undefined;
  }
  const lines = values.map((v) => {
    const comment = v.comment.trim().replace(new RegExp(`^${v.name}`), '').trim().replace(/\s+/g, ' ');
    return ` - \`${JSON.stringify(v.value)}\` ${comment}`;
  });
  return { enum: values.map((v) => v.value).sort(), enumLines: lines.sort() };
}

/** Facts about one Go type. */
export interface TypeFacts {
  /** `+structType=atomic` (rendered as x-kubernetes-map-type). */
  structType?: string;
  fields: Record<string, FieldFacts>;
  /** Every JSON field name the Go struct declares, inline-embedded structs included (absent when unknown). */
  names?: string[];
  /** Go types embedded with `json:",inline"` (resolved into `names` by compactFacts). */
  inline?: string[];
}

/** Facts about one Go package, e.g. io.k8s.api.core.v1. */
export interface PackageFacts {
  group: string;
  version: string;
  types: Record<string, TypeFacts>;
}

const typeStart = /^type\s+(\w+)\s+struct\s*\{\s*$/;
const aliasDecl = /^type\s+(\w+)\s+(.+?)\s*(\/\/.*)?$/;
const fieldLine = /^\s*(?:\w+\s+)?([^\s`]+)\s+`([^`]*)`/;

function tagValue(tag: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag);
  return m?.[1];
}

function markers(comments: readonly string[], key: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`^\\s*//\\s*\\+${key}=(\\S+)`);
  for (const c of comments) {
    const m = re.exec(c);
    if (m?.[1] !== undefined) {
      out.push(m[1]);
    }
  }
  return out;
}

/** Parses one Go source file into struct facts and a table of named non-struct types. */
export function parseGoFile(source: string, scope: GoScope): Record<string, TypeFacts> {
  const aliases = scope.aliases;
  const types: Record<string, TypeFacts> = {};
  const lines = source.split('\n');
  let comments: string[] = [];
  let current: TypeFacts | undefined;
  let depth = 0;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (current === undefined) {
      const start = typeStart.exec(line);
      if (start?.[1] !== undefined) {
        const facts: TypeFacts = { fields: {} };
        const structType = markers(comments, 'structType')[0];
        if (structType !== undefined) {
          facts.structType = structType;
        }
        types[start[1]] = facts;
        current = facts;
        depth = 1;
        comments = [];
        continue;
      }
      const alias = aliasDecl.exec(line);
      if (alias?.[1] !== undefined && alias[2] !== undefined && !alias[2].startsWith('struct') && !alias[2].startsWith('interface') && !alias[2].startsWith('(')) {
        aliases.set(alias[1], alias[2]);
        if (alias[2] === 'string' && comments.some((c) => /^\s*\/\/\s*\+enum\s*$/.test(c))) {
          scope.enumTypes.add(alias[1]);
        }
      }
      const constant = constLine.exec(line);
      if (constant?.[1] !== undefined && constant[2] !== undefined && constant[3] !== undefined && !line.startsWith('type ')) {
        const list = scope.consts.get(constant[2]) ?? [];
        if (!list.some((c) => c.value === constant[3])) {
          const comment = comments.map((c) => c.replace(/^\s*\/\/ ?/, '')).join(' ');
          list.push({ name: constant[1], value: constant[3], comment });
        }
        scope.consts.set(constant[2], list);
      }
      comments = line.trimStart().startsWith('//') ? [...comments, line] : [];
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.startsWith('//')) {
      comments.push(line);
      continue;
    }
    if (depth === 1) {
      const m = fieldLine.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        const jsonTag = tagValue(m[2], 'json') ?? '';
        const jsonName = jsonTag.split(',')[0] ?? '';
        if (jsonName === '' && jsonTag.split(',').includes('inline')) {
          (current.inline ??= []).push(m[1].replace(/^\*/, ''));
        }
        if (jsonName !== '' && jsonName !== '-') {
          (current.names ??= []).push(jsonName);
          const f: FieldFacts = {};
          const mergeKey = tagValue(m[2], 'patchMergeKey') ?? markers(comments, 'patchMergeKey')[0];
          const strategy = tagValue(m[2], 'patchStrategy') ?? markers(comments, 'patchStrategy')[0];
          const listType = markers(comments, 'listType')[0];
          const mapKeys = markers(comments, 'listMapKey');
          const mapType = markers(comments, 'mapType')[0];
          if (mergeKey !== undefined) {
            f.patchMergeKey = mergeKey;
          }
          if (strategy !== undefined) {
            f.patchStrategy = strategy;
          }
          if (listType !== undefined) {
            f.listType = listType;
          }
          if (mapKeys.length > 0) {
            f.listMapKeys = mapKeys;
          }
          if (mapType !== undefined) {
            f.mapType = mapType;
          }
          if (isQuantity(m[1], aliases)) {
            f.quantity = true;
          }
          const def = markers(comments, 'default')[0];
          if (def !== undefined) {
            try {
              f.default = JSON.parse(def) as unknown;
            } catch {
              // ref(SomeConst) and other Go expressions: not representable here.
            }
          }
          const en = enumFacts(m[1], scope);
          if (en !== undefined) {
            Object.assign(f, en);
          }
          const doc = docOf(comments);
          if (doc !== '' && isNamedType(m[1])) {
            f.doc = doc;
          }
          current.fields[jsonName] = f;
        }
      }
    }
    for (const ch of trimmed.replace(/`[^`]*`/g, '')) {
      if (ch === '{') {
        depth++;
      } else if (ch === '}') {
        depth--;
      }
    }
    comments = [];
    if (depth === 0) {
      current = undefined;
    }
  }
  return types;
}

const builtinGoTypes = new Set(['string', 'bool', 'int', 'int32', 'int64', 'uint', 'uint32', 'uint64', 'float32', 'float64', 'byte']);

/** True when a Go type expression names a type (struct, alias, enum) rather than a Go scalar. */
export function isNamedType(goType: string): boolean {
  const base = goType.replace(/^(\*|\[\]|map\[[^\]]*\])+/, '');
  return !builtinGoTypes.has(base);
}

/** A doc comment as upstream's OpenAPI descriptions render it: markers dropped, lines joined, blank lines kept as paragraph breaks. */
export function docOf(comments: readonly string[]): string {
  const lines = comments.map((c) => c.replace(/^\s*\/\/ ?/, ''));
  // gengo ends a doc comment at a `---` line (what follows is for maintainers).
  const cut = lines.findIndex((l) => /^\s*-{3,}\s*$/.test(l));
  if (cut >= 0) {
    lines.length = cut;
  }
  const kept = lines.filter((l) => !l.trimStart().startsWith('+') && !/^\s*TODO/.test(l));
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const l of kept) {
    if (l.trim() === '') {
      if (current.length > 0) {
        paragraphs.push(current.join(' '));
      }
      current = [];
    } else {
      current.push(l.trim());
    }
  }
  if (current.length > 0) {
    paragraphs.push(current.join(' '));
  }
  return paragraphs.join('\n\n');
}

/** True when a Go type expression bottoms out in resource.Quantity (directly, in a slice/map, or via ResourceList). */
export function isQuantity(goType: string, aliases: ReadonlyMap<string, string>): boolean {
  let t = goType;
  for (let hops = 0; hops < 8; hops++) {
    t = t.replace(/^\*/, '').replace(/^\[\]/, '').replace(/^map\[[^\]]*\]/, '').replace(/^\*/, '');
    const base = t.includes('.') ? t.slice(t.lastIndexOf('.') + 1) : t;
    if (base === 'Quantity') {
      return true;
    }
    const next = aliases.get(base);
    if (next === undefined) {
      return false;
    }
    t = next;
  }
  return false;
}

/** Drops fields with no facts so the committed table stays small. */
export function compactFacts(types: Record<string, TypeFacts>): Record<string, TypeFacts> {
  const out: Record<string, TypeFacts> = {};
  for (const [name, t] of Object.entries(types)) {
    const fields: Record<string, FieldFacts> = {};
    for (const [f, facts] of Object.entries(t.fields)) {
      if (Object.keys(facts).length > 0) {
        fields[f] = facts;
      }
    }
    const compact: TypeFacts = t.structType === undefined ? { fields } : { structType: t.structType, fields };
    const names = allNames(name, types, 0);
    if (names !== undefined) {
      compact.names = names;
    }
    out[name] = compact;
  }
  return out;
}

/** JSON names of a struct with its inline embeds resolved; undefined when an embed is not in this package. */
function allNames(name: string, types: Record<string, TypeFacts>, depth: number): string[] | undefined {
  const t = types[name];
  if (t === undefined || depth > 4) {
    return undefined;
  }
  const names = [...(t.names ?? [])];
  for (const embed of t.inline ?? []) {
    const base = embed.slice(embed.lastIndexOf('.') + 1);
    if (base === 'TypeMeta') {
      names.push('apiVersion', 'kind');
      continue;
    }
    const inner = embed.includes('.') ? undefined : allNames(base, types, depth + 1);
    if (inner === undefined) {
      return undefined;
    }
    names.push(...inner);
  }
  return names.sort();
}
