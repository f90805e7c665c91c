/**
 * `kubectl explain TYPE[.field...]`: documentation of a resource or field, read from the
 * server's OpenAPI v3 document for the resource's group/version and rendered the way kubectl
 * 1.35's default `plaintext` template does (same walk through $ref/allOf/items/
 * additionalProperties, same type guesses, enum summaries, go-wordwrap line breaking, cycle
 * cut-off with --recursive). The template's logic is re-expressed as functions here.
 */
import { RawMessageError } from '../cli/errors.ts';
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, ResourceMapping, Verb } from '../command.ts';
import { boolFlag, stringFlag } from '../polymorphic/flagvalues.ts';

type Schema = Readonly<Record<string, unknown>>;
type History = ReadonlySet<string>;

function isRecord(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go template truthiness: empty strings, maps, lists, zero and false are false. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') {
    return false;
  }
  if (Array.isArray(v)) {
    return v.length > 0;
  }
  return !isRecord(v) || Object.keys(v).length > 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The map-valued additionalProperties (a boolean one does not describe items). */
function mapValues(s: Schema): Schema | undefined {
  const ap = s.additionalProperties;
  return isRecord(ap) && truthy(ap) ? ap : undefined;
}

function items(s: Schema): Schema | undefined {
  return isRecord(s.items) && truthy(s.items) ? s.items : undefined;
}

function allOf(s: Schema): Schema[] {
  return Array.isArray(s.allOf) ? s.allOf.filter(isRecord) : [];
}

function properties(s: Schema): Schema {
  return isRecord(s.properties) ? s.properties : {};
}

/** mitchellh/go-wordwrap's WrapString: breaks at whitespace so lines stay within `limit` runes; longer words stay whole. */
export function wordWrap(text: string, limit: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  for (const ch of text) {
    const wordLen = [...word].length;
    const spaceLen = [...space].length;
    if (ch === '\n') {
      if (word === '') {
        if (current + spaceLen <= limit) {
          out += space;
        }
      } else {
        out += space + word;
      }
      space = '';
      word = '';
      out += ch;
      current = 0;
    } else if (/\s/.test(ch) && ch !== '\u00a0') {
      if (space === '' || word !== '') {
        current += spaceLen + wordLen;
        out += space + word;
        space = '';
        word = '';
      }
      space += ch;
    } else {
      word += ch;
      if (current + spaceLen + wordLen + 1 > limit && wordLen + 1 < limit) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (word === '') {
    if (current + [...space].length <= limit) {
      out += space;
    }
  } else {
    out += space + word;
  }
  return out;
}

function indent(amount: number, text: string): string {
  const pad = ' '.repeat(amount);
  return pad + text.replaceAll('\n', `\n${pad}`);
}

/** A `#/components/schemas/x` reference within the document (others are not followed, as upstream). */
function resolveRef(ref: unknown, doc: Schema): Schema | undefined {
  if (typeof ref !== 'string' || !ref.startsWith('#')) {
    return undefined;
  }
  let cur: Schema = doc;
  for (const part of ref.slice(1).split('/')) {
    if (part === '') {
      continue;
    }
    const next = cur[decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~')];
    if (!isRecord(next)) {
      return undefined;
    }
    cur = next;
  }
  return cur;
}

/** The short type hint: `string`, `Object`, `[]Container`, `map[string]string`. */
function typeGuess(s: Schema, doc: Schema): string {
  const it = items(s);
  if (it !== undefined) {
    return `[]${typeGuess(it, doc)}`;
  }
  const mv = mapValues(s);
  if (mv !== undefined) {
    return `map[string]${typeGuess(mv, doc)}`;
  }
  const all = allOf(s);
  if (all.length === 1 && !truthy(s.properties)) {
    return typeGuess(all[0], doc);
  }
  if (truthy(s.$ref)) {
    const ref = str(s.$ref);
    const target = resolveRef(ref, doc);
    if (target === undefined || !truthy(target.type) || target.type === 'object') {
      const name = ref.split('/').at(-1) ?? '';
      return name.split('.').at(-1) || 'Object';
    }
    return str(target.type) || 'Object';
  }
  return s.type === 'object' ? 'Object' : str(s.type) || 'Object';
}

function enumValue(v: unknown): string {
  if (v === '') {
    return '""';
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** ` enum: a, b, c, ....` under a field line, or the long `ENUM:` list under FIELD. */
function extractEnum(s: Schema, longView: boolean, limit: number, indentAmount = 0): string {
  const values = Array.isArray(s.enum) ? s.enum : [];
  if (values.length === 0) {
    return '';
  }
  let out = longView ? 'ENUM:' : `\n${' '.repeat(indentAmount)}enum: `;
  for (const [i, v] of values.entries()) {
    if (limit > -1 && i >= limit) {
      out += ', ....';
      break;
    }
    if (i > 0 && !longView) {
      out += ', ';
    } else if (longView) {
      out += '\n    ';
    }
    out += enumValue(v);
  }
  return out;
}

/** The schema's description followed by those of its allOf, items and map values. */
function description(s: Schema, doc: Schema): string {
  const r = resolveRef(s.$ref, doc) ?? s;
  let out = truthy(r.description) ? `${str(r.description)}\n` : '';
  for (const sub of allOf(r)) {
    out += description(sub, doc);
  }
  const it = items(r);
  if (it !== undefined) {
    out += description(it, doc);
  }
  const mv = mapValues(r);
  if (mv !== undefined) {
    out += description(mv, doc);
  }
  return out;
}

function externalDocs(docs: unknown, indentAmount: number, width: number): string {
  if (!isRecord(docs) || !truthy(docs)) {
    return '';
  }
  let out = '';
  if (truthy(docs.description)) {
    out += `${indent(indentAmount + 2, wordWrap(str(docs.description), width))}\n`;
  }
  if (truthy(docs.url)) {
    out += `${indent(indentAmount + 2, `URL: ${str(docs.url)}`)}\n`;
  }
  return out;
}

function fieldDetail(name: string, parent: Schema, short: boolean, level: number, doc: Schema): string {
  const amount = level * 2;
  const field = (properties(parent)[name] ?? {}) as Schema;
  let out = `${indent(amount, name)}\t<${typeGuess(field, doc)}>`;
  if (Array.isArray(parent.required) && parent.required.includes(name)) {
    out += ' -required-';
  }
  out += `${extractEnum(field, false, 4, amount)}\n`;
  if (!short) {
    out += `${indent(amount + 2, wordWrap(str(field.description) || '<no description>', 78 - amount))}\n`;
    if (isRecord(field.externalDocs) && truthy(field.externalDocs)) {
      out += `\n${indent(amount + 2, 'EXTERNAL DOCS:')}\n${externalDocs(field.externalDocs, amount + 2, 76 - amount)}`;
    }
    out += '\n';
  }
  return out;
}

/** The field list (one level with descriptions, or every level by name with --recursive); refs already on the path are not entered again. */
function fieldList(s: Schema, level: number, history: History, doc: Schema, recursive: boolean): string {
  const ref = str(s.$ref);
  if (ref !== '' && history.has(ref)) {
    return '';
  }
  const next = new Set(history).add(ref);
  const r = resolveRef(ref, doc) ?? s;
  let out = '';
  const props = properties(r);
  for (const name of Object.keys(props).sort()) {
    out += fieldDetail(name, r, recursive, level, doc);
    if (recursive && isRecord(props[name])) {
      out += fieldList(props[name], level + 1, next, doc, recursive);
    }
  }
  for (const sub of allOf(r)) {
    out += fieldList(sub, level, next, doc, recursive);
  }
  const it = items(r);
  if (it !== undefined) {
    out += fieldList(it, level, next, doc, recursive);
  }
  const mv = mapValues(r);
  if (mv !== undefined) {
    out += fieldList(mv, level, next, doc, recursive);
  }
  return out;
}

/** Follows `path` from `s`, then prints FIELD/DESCRIPTION/FIELDS; '' when the path leads nowhere. */
function output(s: Schema, history: History, doc: Schema, path: readonly string[], recursive: boolean): string {
  const ref = str(s.$ref);
  const next = new Set(history).add(ref);
  const r = resolveRef(ref, doc) ?? s;
  if (path.length === 0) {
    let out = `DESCRIPTION:\n${indent(4, wordWrap(description(r, doc) || '<empty>', 76))}\n`;
    if (isRecord(r.externalDocs) && truthy(r.externalDocs)) {
      out += `\nEXTERNAL DOCS:\n${externalDocs(r.externalDocs, 2, 76)}`;
    }
    const fields = fieldList(r, 1, new Set(), doc, recursive);
    if (fields !== '') {
      out += `FIELDS:\n${fields}`;
    }
    return out;
  }
  if (ref !== '' && history.has(ref)) {
    return '';
  }
  const sub = properties(r)[path[0]];
  if (isRecord(sub) && truthy(sub)) {
    let out = '';
    if (path.length === 1) {
      out += `FIELD: ${path[0]} <${typeGuess(sub, doc)}>\n${extractEnum(sub, true, -1)}\n\n`;
    }
    return out + output(sub, new Set(), doc, path.slice(1), recursive);
  }
  const it = items(r);
  if (it !== undefined) {
    return output(it, next, doc, path, recursive);
  }
  const mv = mapValues(r);
  if (mv !== undefined) {
    return output(mv, next, doc, path, recursive);
  }
  for (const alt of allOf(r)) {
    const out = output(alt, next, doc, path, recursive);
    if (out !== '') {
      return out;
    }
  }
  return '';
}

interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The GVK the document's operations on the resource's paths declare (cluster or namespaced, list or named). */
function gvkForResource(doc: Schema, group: string, version: string, resource: string): Gvk | undefined {
  const prefix = group === '' ? '/api' : `/apis/${group}`;
  const paths = isRecord(doc.paths) ? doc.paths : {};
  const candidates = [
    `${prefix}/${version}/${resource}`,
    `${prefix}/${version}/${resource}/{name}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}/{name}`,
  ];
  for (const p of candidates) {
    const item = paths[p];
    if (!isRecord(item)) {
      continue;
    }
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      const gvk = isRecord(op) ? op['x-kubernetes-group-version-kind'] : undefined;
      if (isRecord(gvk) && truthy(gvk)) {
        return { group: str(gvk.group), version: str(gvk.version), kind: str(gvk.kind) };
      }
    }
  }
  return undefined;
}

function sameGvk(v: unknown, gvk: Gvk): boolean {
  return isRecord(v) && Object.keys(v).length === 3 && v.group === gvk.group && v.version === gvk.version && v.kind === gvk.kind;
}

/** The whole plaintext rendering; throws CliError with upstream's messages. */
export function renderExplain(doc: Schema, group: string, version: string, resource: string, path: readonly string[], recursive: boolean): string {
  const gvk = gvkForResource(doc, group, version, resource);
  if (gvk === undefined) {
    throw new CliError(`GVR (${group}/${version}, Resource=${resource}) not found in OpenAPI schema`);
  }
  let head = gvk.group !== '' ? `GROUP:      ${gvk.group}\n` : '';
  head += `KIND:       ${gvk.kind}\nVERSION:    ${gvk.version}\n\n`;
  const schemas = isRecord(doc.components) && isRecord(doc.components.schemas) ? doc.components.schemas : {};
  for (const name of Object.keys(schemas).sort()) {
    const s = schemas[name];
    const gvks = isRecord(s) ? s['x-kubernetes-group-version-kind'] : undefined;
    if (isRecord(s) && Array.isArray(gvks) && gvks.some((g) => sameGvk(g, gvk))) {
      const body = output(s, new Set(), doc, path, recursive);
      if (body === '') {
        throw new PartialOutput(head, `field "${path.at(-1) ?? ''}" does not exist`);
      }
      return `${head}${body}\n`;
    }
  }
  throw new PartialOutput(head, `GVK ${gvk.group}/${gvk.version}, Kind=${gvk.kind} not found in OpenAPI schema`);
}

/** An error after the template already wrote its header (text/template writes as it goes). */
class PartialOutput extends CliError {
  readonly written: string;
  constructor(written: string, message: string) {
    super(message);
    this.written = written;
  }
}

/** `TYPE[.group].field.field` → the mapping and the field path (upstream's matching-prefix split). */
async function splitResource(ctx: KubectlContext, arg: string): Promise<{ mapping: ResourceMapping; path: string[] }> {
  const text = arg.replace(/\.$/, '');
  const parts = text.split('.');
  const discovery = await ctx.discovery();
  let mapping: ResourceMapping;
  try {
    mapping = await discovery.resolve(parts[0]);
  } catch (e) {
    // explain's REST mapper error reaches CheckErr as a plain message, without the `error: ` prefix.
    throw e instanceof CliError ? new RawMessageError(e.message) : e;
  }
  const grouped = `${mapping.resource}.${mapping.group}`;
  if (mapping.group !== '' && (text === grouped || text.startsWith(`${grouped}.`))) {
    const rest = text.slice(grouped.length + 1);
    return { mapping, path: rest === '' ? [] : rest.split('.') };
  }
  return { mapping, path: parts.slice(1) };
}

interface V3Index {
  readonly paths?: Readonly<Record<string, { readonly serverRelativeURL?: string }>>;
}

const verb: Verb = {
  use: 'explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]',
  short: 'Get documentation for a resource',
  long: `Describe fields and structure of various resources.

 This command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:

        <type>.<fieldName>[.<fieldName>]
        
 Information about each field is retrieved from the server in OpenAPI format.

Use "kubectl api-resources" for a complete list of supported resources.`,
  example: `  # Get the documentation of the resource and its fields
  kubectl explain pods
  
  # Get all the fields in the resource
  kubectl explain pods --recursive
  
  # Get the explanation for deployment in supported api versions
  kubectl explain deployments --api-version=apps/v1
  
  # Get the documentation of a specific field of a resource
  kubectl explain pods.spec.containers
  
  # Get the documentation of resources in different format
  kubectl explain deployment --output=plaintext-openapiv2`,
  flags: [
    { name: 'recursive', type: 'bool', default: false, usage: 'Print the fields of fields (Currently only 1 level deep)' },
    { name: 'api-version', type: 'string', default: '', usage: 'Get different explanations for particular API version (API group/version)' },
    { name: 'output', short: 'o', type: 'string', default: 'plaintext', usage: 'Format in which to render the schema (plaintext, plaintext-openapiv2)' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    if (args.length === 0) {
      throw new CliError("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.");
    }
    if (args.length > 1) {
      throw new CliError('We accept only this format: explain RESOURCE');
    }
    const { mapping, path } = await splitResource(ctx, args[0] ?? '');
    let group = mapping.group;
    let version = mapping.version;
    const apiVersion = stringFlag(flags, 'api-version');
    if (apiVersion !== '') {
      const parts = apiVersion.split('/');
      if (parts.length > 2) {
        throw new CliError(`unexpected GroupVersion string: ${apiVersion}`);
      }
      [group, version] = parts.length === 2 ? [parts[0], parts[1]] : ['', parts[0]];
    }
    const format = stringFlag(flags, 'output');
    if (format !== 'plaintext') {
      throw new CliError(`explain --output=${format} is not supported by k8ts kubectl (only plaintext)`);
    }
    const client = await ctx.client();
    const index = await client.request<V3Index>({ method: 'GET', path: '/openapi/v3' });
    const key = group === '' ? `api/${version}` : `apis/${group}/${version}`;
    const entry = index.paths?.[key];
    if (entry === undefined) {
      throw new CliError(`couldn't find resource for "${group}/${version}, Resource=${mapping.resource}"`);
    }
    const url = new URL(entry.serverRelativeURL ?? `/openapi/v3/${key}`, 'http://server');
    const doc = await client.request<Schema>({ method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    try {
      ctx.stdout.write(renderExplain(doc, group, version, mapping.resource, path, boolFlag(flags, 'recursive')));
    } catch (e) {
      if (e instanceof PartialOutput) {
        ctx.stdout.write(e.written);
      }
      throw e;
    }
    return 0;
  },
};

export default verb;
