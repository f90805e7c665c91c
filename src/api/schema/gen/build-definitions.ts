/**
 * Turns client-node models plus the upstream facts table into OpenAPI v3 definitions named
 * as upstream names them (io.k8s.api.core.v1.Pod). Used only by scripts/gen-schemas.ts; the
 * output is committed under src/api/schema/generated/.
 */
import type { SchemaNode } from '../index.ts';
import type { Model, ModelAttribute } from './client-node-models.ts';
import type { FieldFacts, PackageFacts } from './go-facts.ts';

export const metaPkg = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const quantityRef = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const intOrStringRef = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const rawExtensionRef = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

/** Definitions that no client-node model describes: apimachinery's scalar-like types. */
export const specialDefinitions: Record<string, SchemaNode> = {
  [quantityRef]: {
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [intOrStringRef]: {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
  [rawExtensionRef]: {
    description: 'RawExtension is used to hold extensions in external versions.',
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${metaPkg}.Time`]: {
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string',
    format: 'date-time',
  },
  [`${metaPkg}.Patch`]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
  [`${metaPkg}.MicroTime`]: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  [`${metaPkg}.FieldsV1`]: {
    description:
      "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
};

/** client-node `any` fields whose upstream type is a named free-form definition. */
const anyFields: Record<string, string> = {
  'V1ManagedFieldsEntry.fieldsV1': `${metaPkg}.FieldsV1`,
  'V1ControllerRevision.data': rawExtensionRef,
  'V1WatchEvent.object': rawExtensionRef,
};

const groupPrefixes: Record<string, string> = { Apiregistration: 'apiregistration', Apiextensions: 'apiextensions' };

/** Where each client-node class lives upstream: `{ pkg, name }`, or undefined when upstream no longer has it. */
export function locateModel(className: string, packages: Record<string, PackageFacts & { short: string }>): { pkg: string; name: string } | undefined {
  if (className === 'VersionInfo') {
    return { pkg: 'io.k8s.apimachinery.pkg.version', name: 'Info' };
  }
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(className);
  if (m?.[2] === undefined || m[3] === undefined) {
    return undefined;
  }
  const version = m[2].toLowerCase();
  const name = m[3];
  const short = m[1] === undefined ? undefined : (groupPrefixes[m[1]] ?? m[1].toLowerCase());
  const candidates = Object.entries(packages).filter(([, p]) => p.version === version && p.types[name] !== undefined && (short === undefined || p.short === short));
  if (candidates.length === 0) {
    return undefined;
  }
  // meta/v1 types (ObjectMeta, Condition, LabelSelector) win over same-named ones elsewhere.
  const chosen = candidates.find(([k]) => k === metaPkg) ?? candidates[0];
  return chosen === undefined ? undefined : { pkg: chosen[0], name };
}

/** A `$ref` to a definition, in the form the served v3 documents use. */
export function ref(name: string): string {
  return `#/components/schemas/${name}`;
}

interface Context {
  nameOf: (className: string) => string | undefined;
}

function convertType(type: string, format: string, facts: FieldFacts | undefined, ctx: Context, where: string): SchemaNode {
  if (type.startsWith('Array<')) {
    return { type: 'array', items: convertType(type.slice(6, -1), format, facts, ctx, where) };
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1] !== undefined) {
    return { type: 'object', additionalProperties: convertType(map[1], format, facts, ctx, where) };
  }
  switch (type) {
    case 'string':
      if (facts?.quantity === true) {
        return { $ref: ref(quantityRef) };
      }
      return format === '' ? { type: 'string' } : { type: 'string', format };
    case 'number':
      if (format === 'int32' || format === 'int64') {
        return { type: 'integer', format };
      }
      return format === '' ? { type: 'number' } : { type: 'number', format };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      return { $ref: ref(format === 'date-time-micro' ? `${metaPkg}.MicroTime` : `${metaPkg}.Time`) };
    case 'IntOrString':
      return { $ref: ref(intOrStringRef) };
    case 'any': {
      const named = anyFields[where];
      return named === undefined ? { 'x-kubernetes-preserve-unknown-fields': true } : { $ref: ref(named) };
    }
    case 'V1MicroTime':
      return { $ref: ref(`${metaPkg}.MicroTime`) };
    default: {
      const name = ctx.nameOf(type);
      if (name === undefined) {
        throw new Error(`${where}: no upstream definition for ${type}`);
      }
      return { $ref: ref(name) };
    }
  }
}

function withExtensions(node: SchemaNode, facts: FieldFacts | undefined): SchemaNode {
  if (facts === undefined) {
    return node;
  }
  const out: SchemaNode = { ...node };
  if (facts.listMapKeys !== undefined) {
    out['x-kubernetes-list-map-keys'] = facts.listMapKeys;
  }
  if (facts.listType !== undefined) {
    out['x-kubernetes-list-type'] = facts.listType;
  }
  if (facts.mapType !== undefined) {
    out['x-kubernetes-map-type'] = facts.mapType;
  }
  if (facts.patchMergeKey !== undefined) {
    out['x-kubernetes-patch-merge-key'] = facts.patchMergeKey;
  }
  if (facts.patchStrategy !== undefined) {
    out['x-kubernetes-patch-strategy'] = facts.patchStrategy;
  }
  return out;
}

function convertAttribute(model: Model, a: ModelAttribute, facts: FieldFacts | undefined, ctx: Context): SchemaNode {
  const node = convertType(a.type, a.format, facts, ctx, `${model.className}.${a.name}`);
  let description = a.description ?? facts?.doc;
  if (facts?.enumLines !== undefined) {
    description = `${description ?? ''}\n\nPossible enum values:\n${facts.enumLines.join('\n')}`;
  }
  let described: SchemaNode = description === undefined ? node : { description, ...node };
  if (facts?.default !== undefined) {
    described = { ...described, default: facts.default };
  }
  if (facts?.enum !== undefined && node.type === 'string') {
    described = { ...described, enum: facts.enum };
  }
  return withExtensions(described, facts);
}

/** Builds every definition: upstream name → schema node, with `$ref`s as bare definition names. */
export function buildDefinitions(models: readonly Model[], packages: Record<string, PackageFacts & { short: string }>): { definitions: Record<string, SchemaNode>; gvks: Record<string, string> } {
  const byClass = new Map(models.map((m) => [m.className, m]));
  const located = new Map<string, { pkg: string; name: string }>();
  const queue: Model[] = [];
  for (const m of models) {
    const where = locateModel(m.className, packages);
    if (where !== undefined) {
      located.set(m.className, where);
      queue.push(m);
    }
  }
  let currentPkg = '';
  const ctx: Context = {
    nameOf: (c) => {
      let l = located.get(c);
      const model = byClass.get(c);
      if (l === undefined && model !== undefined) {
        // client-node knows a type the upstream sources no longer declare: keep it beside its user.
        const name = /^[A-Z]?[a-z]*V\d+(?:alpha\d+|beta\d+)?([A-Z].*)$/.exec(c)?.[1] ?? c;
        l = { pkg: currentPkg, name };
        located.set(c, l);
        queue.push(model);
      }
      return l === undefined ? undefined : `${l.pkg}.${l.name}`;
    },
  };
  const definitions: Record<string, SchemaNode> = { ...specialDefinitions };
  const gvks: Record<string, string> = {};
  for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
    const where = located.get(m.className);
    if (where === undefined) {
      continue;
    }
    currentPkg = where.pkg;
    const pkg = packages[where.pkg];
    const typeFacts = pkg?.types[where.name];
    const def: SchemaNode = {};
    if (m.description !== undefined) {
      def.description = m.description;
    }
    def.type = 'object';
    // client-node may be a release ahead of the facts: keep only fields the upstream struct declares.
    const declared = typeFacts?.names === undefined ? undefined : new Set(typeFacts.names);
    const attributes = declared === undefined ? m.attributes : m.attributes.filter((a) => declared.has(a.name));
    const required = attributes.filter((a) => a.required).map((a) => a.name);
    const properties: Record<string, SchemaNode> = {};
    for (const a of attributes) {
      properties[a.name] = convertAttribute(m, a, typeFacts?.fields[a.name], ctx);
    }
    if (attributes.length > 0) {
      def.properties = properties;
    }
    if (required.length > 0) {
      def.required = required;
    }
    const names = new Set(attributes.map((a) => a.name));
    if (pkg !== undefined && typeFacts !== undefined && names.has('apiVersion') && names.has('kind') && names.has('metadata')) {
      def['x-kubernetes-group-version-kind'] = [{ group: pkg.group, kind: where.name, version: pkg.version }];
      gvks[`${pkg.group}/${pkg.version}/${where.name}`] = `${where.pkg}.${where.name}`;
    }
    if (typeFacts?.structType !== undefined) {
      def['x-kubernetes-map-type'] = typeFacts.structType;
    }
    definitions[`${where.pkg}.${where.name}`] = def;
  }
  return { definitions, gvks };
}
