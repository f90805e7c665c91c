/**
 * Regenerates src/apiserver/protobuf/schema/generated.ts, our proto2 text for every message
 * reachable from the kinds the apiserver decodes from protobuf bodies (deterministic; run by
 * hand from the repository root, the output is committed):
 *
 *   node scripts/gen-protobuf-schema.ts [api=<git dir>[@ref]] [apimachinery=<git dir>[@ref]]
 *
 * It reads upstream's Go API types (k8s.io/api, k8s.io/apimachinery meta/v1) and takes from each
 * struct field its `protobuf` tag (field number), its `json` tag (name, omitempty, inline) and
 * its Go type (pointer → `(keep)`, embedded → `(inline)`, slice → repeated, map → map). Defaults
 * are the mirrors under /work/.mirror at v0.35.7 (the release our kubectl and JSON schemas
 * follow). A few apimachinery types have wire and JSON forms
 * of their own and are written by hand in schema/meta.ts (`handWritten` below).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const outFile = 'src/apiserver/protobuf/schema/generated.ts';

/** A source tree: a git dir and the ref to read. */
interface Source {
  gitDir: string;
  ref: string;
}

const sources: Record<'api' | 'apimachinery', Source> = {
  api: { gitDir: '/work/.mirror/kubernetes+api/repo', ref: 'v0.35.7' },
  apimachinery: { gitDir: '/work/.mirror/kubernetes+apimachinery/repo', ref: 'v0.35.7' },
};
for (const arg of process.argv.slice(2)) {
  const m = /^(api|apimachinery)=([^@]+)(?:@(.+))?$/.exec(arg);
  if (m === null) {
    throw new Error(`usage: node scripts/gen-protobuf-schema.ts [api=<git dir>[@ref]] [apimachinery=<git dir>[@ref]] (got ${arg})`);
  }
  sources[m[1] as 'api' | 'apimachinery'] = { gitDir: m[2] ?? '', ref: m[3] ?? 'HEAD' };
}

const META = 'k8s.io/apimachinery/pkg/apis/meta/v1';

/** Go import path → where its API types are declared. */
const packageFiles: Record<string, { source: Source; path: string }> = {
  [META]: { source: sources.apimachinery, path: 'pkg/apis/meta/v1/types.go' },
  ...Object.fromEntries(['core/v1', 'apps/v1', 'batch/v1', 'policy/v1', 'scheduling/v1', 'networking/v1', 'rbac/v1', 'authorization/v1',
    'authentication/v1', 'autoscaling/v2', 'certificates/v1'].map((p) => [`k8s.io/api/${p}`, { source: sources.api, path: `${p}/types.go` }])),
};

/** The kinds decode.ts decodes (other versions of SelfSubjectReview share v1's message). */
const roots: readonly [string, string][] = [
  ['core/v1', 'Secret'], ['core/v1', 'ConfigMap'], ['core/v1', 'Namespace'], ['core/v1', 'ServiceAccount'], ['core/v1', 'Service'],
  ['core/v1', 'ResourceQuota'], ['core/v1', 'Pod'], ['core/v1', 'PodTemplate'], ['core/v1', 'ReplicationController'],
  ['apps/v1', 'Deployment'], ['apps/v1', 'ReplicaSet'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'],
  ['batch/v1', 'Job'], ['batch/v1', 'CronJob'], ['policy/v1', 'PodDisruptionBudget'], ['policy/v1', 'Eviction'], ['scheduling/v1', 'PriorityClass'],
  ['networking/v1', 'Ingress'], ['rbac/v1', 'Role'], ['rbac/v1', 'ClusterRole'], ['rbac/v1', 'RoleBinding'], ['rbac/v1', 'ClusterRoleBinding'],
  ['authorization/v1', 'SelfSubjectAccessReview'], ['authorization/v1', 'SelfSubjectRulesReview'],
  ['authentication/v1', 'SelfSubjectReview'], ['authentication/v1', 'TokenRequest'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'], ['certificates/v1', 'CertificateSigningRequest'],
  ['meta', 'DeleteOptions'],
];

/** Types schema/meta.ts defines by hand (own wire or JSON forms), by `importPath.Name`. */
const handWritten: Record<string, string> = {
  [`${META}.Time`]: 'Time',
  [`${META}.MicroTime`]: 'MicroTime',
  [`${META}.FieldsV1`]: 'FieldsV1',
  'k8s.io/apimachinery/pkg/api/resource.Quantity': 'Quantity',
  'k8s.io/apimachinery/pkg/util/intstr.IntOrString': 'IntOrString',
};

/** Go scalar → proto2 scalar. */
const scalars: Record<string, string> = {
  string: 'string', '[]byte': 'bytes', bool: 'bool', int32: 'int32', int64: 'int64', int: 'int64', uint32: 'uint32', uint64: 'uint64',
  float64: 'double', float32: 'float', 'k8s.io/apimachinery/pkg/types.UID': 'string', 'k8s.io/apimachinery/pkg/types.NodeName': 'string',
};

interface GoField {
  goName: string;
  goType: string;
  tag: string;
}

interface GoPackage {
  importPath: string;
  imports: Map<string, string>;
  structs: Map<string, GoField[]>;
  /** Named non-struct types: `type X string`, `type ResourceList map[...]...`. */
  named: Map<string, string>;
  /** Named slices marked `+protobuf.nullable=true`: a message wrapping `repeated items = 1`. */
  nullableSlices: Set<string>;
}

function readGo(source: Source, path: string): string {
  return execFileSync('git', ['--git-dir', source.gitDir, 'show', `${source.ref}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Parses the struct and named-type declarations of one Go file (API types: one field per line). */
function parseGoPackage(importPath: string, text: string): GoPackage {
  const pkg: GoPackage = { importPath, imports: new Map(), structs: new Map(), named: new Map(), nullableSlices: new Set() };
  let current: GoField[] | undefined;
  let inImports = false;
  let comments: string[] = [];
  let inBlockComment = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlockComment || line.startsWith('/*')) {
      inBlockComment = !line.includes('*/');
      continue;
    }
    if (inImports) {
      const imp = /^(\w+\s+)?"([^"]+)"/.exec(line);
      if (imp !== null) {
        const path = imp[2] ?? '';
        pkg.imports.set(imp[1]?.trim() ?? path.slice(path.lastIndexOf('/') + 1), path);
      }
      inImports = line !== ')';
      continue;
    }
    if (current !== undefined) {
      if (line === '}') {
        current = undefined;
      } else if (!line.startsWith('//') && line !== '') {
        const f = /^(?:(\w+)\s+)?([^\s`]+)\s*`([^`]*)`/.exec(line);
        if (f === null) {
          throw new Error(`${importPath}: cannot parse struct field line: ${line}`);
        }
        current.push({ goName: f[1] ?? f[2]?.replace(/^\*/, '').replace(/^\w+\./, '') ?? '', goType: f[2] ?? '', tag: f[3] ?? '' });
      }
      continue;
    }
    if (line === 'import (') {
      inImports = true;
    }
    const struct = /^type (\w+) struct \{$/.exec(line);
    const named = /^type (\w+) (?:= )?([^\s{]+)\s*(?:\/\/.*)?$/.exec(line);
    if (struct !== null) {
      current = [];
      pkg.structs.set(struct[1] ?? '', current);
    } else if (named !== null) {
      pkg.named.set(named[1] ?? '', named[2] ?? '');
      if (named[2]?.startsWith('[]') === true && comments.some((c) => c.includes('+protobuf.nullable=true'))) {
        pkg.nullableSlices.add(named[1] ?? '');
      }
    }
    comments = line.startsWith('//') ? [...comments, line] : [];
  }
  return pkg;
}

function tagValue(tag: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag)?.[1];
}

/** A resolved field type: a proto scalar or message name, and how it repeats. */
interface ProtoType {
  kind: 'scalar' | 'message';
  name: string;
}

const packages = new Map<string, GoPackage>();
const wanted: { importPath: string; name: string }[] = [];
const emitted = new Map<string, { importPath: string; text: string }>();

function packageOf(importPath: string): GoPackage {
  const found = packages.get(importPath);
  if (found !== undefined) {
    return found;
  }
  const file = packageFiles[importPath];
  if (file === undefined) {
    throw new Error(`no source configured for Go package ${importPath}`);
  }
  const pkg = parseGoPackage(importPath, readGo(file.source, file.path));
  packages.set(importPath, pkg);
  return pkg;
}

/** `v1.Foo` / `Foo` in `pkg` → import path and name. */
function qualify(pkg: GoPackage, ref: string): { importPath: string; name: string } {
  const dot = ref.indexOf('.');
  if (dot < 0) {
    return { importPath: pkg.importPath, name: ref };
  }
  const importPath = pkg.imports.get(ref.slice(0, dot));
  if (importPath === undefined) {
    throw new Error(`${pkg.importPath}: unknown import in ${ref}`);
  }
  return { importPath, name: ref.slice(dot + 1) };
}

/** Resolves a non-pointer, non-slice, non-map Go type to a proto scalar or message, queueing structs. */
function resolveNamed(pkg: GoPackage, ref: string): ProtoType {
  if (scalars[ref] !== undefined) {
    return { kind: 'scalar', name: scalars[ref] };
  }
  const { importPath, name } = qualify(pkg, ref);
  const full = `${importPath}.${name}`;
  if (scalars[full] !== undefined) {
    return { kind: 'scalar', name: scalars[full] };
  }
  if (handWritten[full] !== undefined) {
    return { kind: 'message', name: handWritten[full] };
  }
  const target = packageOf(importPath);
  if (target.structs.has(name) || target.nullableSlices.has(name)) {
    wanted.push({ importPath, name });
    return { kind: 'message', name };
  }
  const underlying = target.named.get(name);
  if (underlying === undefined) {
    throw new Error(`unknown Go type ${full}`);
  }
  return resolveNamed(target, underlying);
}

/** Expands named map/slice types (`ResourceList`) to their definition, keeping scalars named. */
function expand(pkg: GoPackage, goType: string): { pkg: GoPackage; goType: string } {
  if (goType.startsWith('*') || goType.startsWith('[]') || goType.startsWith('map[') || scalars[goType] !== undefined) {
    return { pkg, goType };
  }
  const { importPath, name } = qualify(pkg, goType);
  if (handWritten[`${importPath}.${name}`] !== undefined || !packageFiles[importPath]) {
    return { pkg, goType };
  }
  const target = packageOf(importPath);
  const underlying = target.named.get(name);
  if (underlying !== undefined && !target.nullableSlices.has(name) && (underlying.startsWith('[]') || underlying.startsWith('map['))) {
    return expand(target, underlying);
  }
  return { pkg, goType };
}

function fieldText(pkg: GoPackage, owner: string, field: GoField): string | undefined {
  const proto = tagValue(field.tag, 'protobuf');
  const json = tagValue(field.tag, 'json') ?? '';
  if (proto === undefined || proto === '-') {
    if (!json.startsWith(',') && json !== '' && json !== '-') {
      console.warn(`skipped ${pkg.importPath}.${owner}.${field.goName}: no protobuf tag (a body with it stays a 415)`);
    }
    return undefined;
  }
  const parts = proto.split(',');
  const number = Number(parts[1]);
  const protoName = parts.find((p) => p.startsWith('name='))?.slice(5) ?? field.goName.charAt(0).toLowerCase() + field.goName.slice(1);
  const [jsonName = '', ...flags] = json.split(',');
  const inline = jsonName === '' && flags.includes('inline');
  const name = inline || jsonName === '' || jsonName === '-' ? protoName : jsonName;
  const options: string[] = [];
  const { pkg: typePkg, goType } = expand(pkg, field.goType);
  if (inline) {
    options.push('(inline) = true');
  }
  let text: string;
  if (goType === '[]byte') {
    text = `optional bytes ${name} = ${number}`;
  } else if (goType.startsWith('map[')) {
    const m = /^map\[([^\]]+)\](.+)$/.exec(goType);
    const key = resolveNamed(typePkg, m?.[1] ?? '');
    const value = resolveNamed(typePkg, m?.[2] ?? '');
    text = `map<${key.name}, ${value.name}> ${name} = ${number}`;
  } else if (goType.startsWith('[]')) {
    const elem = goType.slice(2);
    if (elem.startsWith('*') || elem.startsWith('[]') || elem.startsWith('map[')) {
      throw new Error(`${pkg.importPath}.${owner}.${field.goName}: unsupported element type ${goType}`);
    }
    text = `repeated ${resolveNamed(typePkg, elem).name} ${name} = ${number}`;
  } else {
    const pointer = goType.startsWith('*');
    const t = resolveNamed(typePkg, goType.replace(/^\*/, ''));
    // Go's JSON writes a pointer when set and a scalar without omitempty always, zero or not
    // (messages are written whenever present anyway; a set IntOrString pointer may hold 0).
    const omitempty = flags.includes('omitempty') || flags.includes('omitzero');
    if ((pointer && (t.kind === 'scalar' || t.name === 'IntOrString')) || (t.kind === 'scalar' && !omitempty)) {
      options.push('(keep) = true');
    }
    text = `optional ${t.name} ${name} = ${number}`;
  }
  return options.length > 0 ? `${text} [${options.join(', ')}];` : `${text};`;
}

function messageText(importPath: string, name: string): string {
  const pkg = packageOf(importPath);
  if (pkg.nullableSlices.has(name)) {
    const elem = resolveNamed(pkg, (pkg.named.get(name) ?? '').slice(2));
    return `message ${name} { option (items) = true; repeated ${elem.name} items = 1; }`;
  }
  const fields = (pkg.structs.get(name) ?? []).map((f) => fieldText(pkg, name, f)).filter((f) => f !== undefined);
  const oneLine = `message ${name} { ${fields.join(' ')} }`;
  if (oneLine.length <= 150) {
    return oneLine;
  }
  const lines: string[] = [];
  let line = '';
  for (const f of fields) {
    if (line !== '' && line.length + f.length + 1 > 150) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? f : `${line} ${f}`;
  }
  lines.push(line);
  return `message ${name} {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}

for (const [pkgPath, name] of roots) {
  wanted.push({ importPath: pkgPath === 'meta' ? META : `k8s.io/api/${pkgPath}`, name });
}
for (let next = wanted.shift(); next !== undefined; next = wanted.shift()) {
  const prior = emitted.get(next.name);
  if (prior !== undefined && prior.importPath === next.importPath) {
    continue;
  }
  const text = messageText(next.importPath, next.name);
  if (prior !== undefined && prior.text !== text) {
    throw new Error(`message name ${next.name} declared differently in ${prior.importPath} and ${next.importPath}`);
  }
  emitted.set(next.name, { importPath: next.importPath, text });
}

const byPackage = new Map<string, string[]>();
for (const { importPath, text } of emitted.values()) {
  byPackage.set(importPath, [...(byPackage.get(importPath) ?? []), text]);
}
const describe = (s: Source): string =>
  `${s.gitDir.replace(/^.*\/([^/+]+)\+([^/]+)\/repo$/, '$1/$2')} ${s.ref} (${execFileSync('git', ['--git-dir', s.gitDir, 'rev-parse', '--short', `${s.ref}^{commit}`], { encoding: 'utf8' }).trim()})`;
const sections = [...byPackage.entries()].sort(([a], [b]) => a.localeCompare(b))
  .map(([importPath, texts]) => `// ${importPath}\n${[...texts].sort((a, b) => a.localeCompare(b)).join('\n')}`);
const out = `/**
 * GENERATED by scripts/gen-protobuf-schema.ts from ${describe(sources.api)} and ${describe(sources.apimachinery)}; do not edit.
 * Messages for the kinds decoded from protobuf bodies and everything they reach; names are the
 * JSON names, numbers upstream's. Options: see schema/meta.ts.
 */
export const generatedProto = \`
${sections.join('\n\n')}
\`;
`;
writeFileSync(outFile, out);
console.log(`wrote ${outFile}: ${emitted.size} messages`);
