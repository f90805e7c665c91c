/**
 * Regenerates src/api/schema/generated/ (deterministic; run from the repository root):
 *
 *   node scripts/gen-schemas.ts
 *       reads @kubernetes/client-node's models and generated/facts.json, writes one
 *       definitions file per upstream package plus index.json (kind → definition name).
 *
 *   node scripts/gen-schemas.ts --facts api=<git dir>[@<ref>] apimachinery=<git dir>[@<ref>] apiextensions=<git dir>[@<ref>] aggregator=<git dir>[@<ref>]
 *       first re-extracts generated/facts.json (package membership, patch/list markers,
 *       Quantity fields, enums, defaults, docs of struct-typed fields) from upstream Go sources
 *       (git dirs of kubernetes/api, apimachinery, apiextensions-apiserver, kube-aggregator;
 *       ref defaults to HEAD; the committed table was built from the kubernetes-1.35.x tags).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModels } from '../src/api/schema/gen/client-node-models.ts';
import { buildDefinitions } from '../src/api/schema/gen/build-definitions.ts';
import { compactFacts, newGoScope, parseGoFile } from '../src/api/schema/gen/go-facts.ts';
import type { GoScope, PackageFacts, TypeFacts } from '../src/api/schema/gen/go-facts.ts';

const outDir = 'src/api/schema/generated';
const modelsDir = 'node_modules/@kubernetes/client-node/dist/gen/models';

type Packages = Record<string, PackageFacts & { short: string }>;

/** A source tree: a git dir and the ref to read (`/path/to/repo.git@kubernetes-1.35.7`). */
interface Source {
  gitDir: string;
  ref: string;
}

function parseSource(arg: string): Source {
  const at = arg.lastIndexOf('@');
  return at < 0 ? { gitDir: arg, ref: 'HEAD' } : { gitDir: arg.slice(0, at), ref: arg.slice(at + 1) };
}

function git(source: Source, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', source.gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function goFilesIn(source: Source, dir: string): string[] {
  return git(source, 'ls-tree', '--name-only', `${source.ref}:${dir}`)
    .split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_generated') && !f.startsWith('generated.') && !f.includes('swagger'))
    .map((f) => `${dir}/${f}`);
}

interface SourcePackage {
  key: string;
  files: string[];
  version: string;
  short: string;
}

function loadPackage(source: Source, dir: string, key: string, version: string, short: string): SourcePackage {
  return { key, files: goFilesIn(source, dir).map((f) => git(source, 'show', `${source.ref}:${f}`)), version, short };
}

function readPackage(src: SourcePackage, scope: GoScope): PackageFacts & { short: string } {
  const { files, version, short } = src;
  const types: Record<string, TypeFacts> = {};
  for (const file of files) {
    Object.assign(types, parseGoFile(file, scope));
  }
  const group = /const GroupName = "([^"]*)"/.exec(files.join('\n'))?.[1] ?? '';
  return { group, version, short, types: compactFacts(types) };
}

function extractFacts(sources: Record<string, string>): Packages {
  const loaded: SourcePackage[] = [];
  if (sources.api === undefined) {
    throw new Error('--facts needs api=<git dir of kubernetes/api>');
  }
  const api = parseSource(sources.api);
  for (const line of git(api, 'ls-tree', '-r', '--name-only', api.ref).split('\n')) {
    const m = /^(\w+)\/(v\d+(?:alpha\d+|beta\d+)?)\/register\.go$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      loaded.push(loadPackage(api, `${m[1]}/${m[2]}`, `io.k8s.api.${m[1]}.${m[2]}`, m[2], m[1]));
    }
  }
  const extra: [string, string, string, string, string][] = [
    ['apimachinery', 'pkg/apis/meta/v1', 'io.k8s.apimachinery.pkg.apis.meta.v1', 'v1', 'meta'],
    ['apiextensions', 'pkg/apis/apiextensions/v1', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1', 'v1', 'apiextensions'],
    ['aggregator', 'pkg/apis/apiregistration/v1', 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1', 'v1', 'apiregistration'],
  ];
  for (const [source, dir, pkg, version, short] of extra) {
    const arg = sources[source];
    if (arg !== undefined) {
      loaded.push(loadPackage(parseSource(arg), dir, pkg, version, short));
    }
  }
  // First pass: learn every package's type aliases and enums (fields refer across packages).
  const scope = newGoScope();
  for (const p of loaded) {
    for (const file of p.files) {
      parseGoFile(file, scope);
    }
  }
  const packages: Packages = {};
  for (const p of loaded) {
    packages[p.key] = readPackage(p, scope);
  }
  // meta/v1 objects (Status, APIGroup, ...) are served without a group.
  const meta = packages['io.k8s.apimachinery.pkg.apis.meta.v1'];
  if (meta !== undefined) {
    meta.group = '';
  }
  return packages;
}

function main(): void {
  const args = process.argv.slice(2);
  const factsPath = join(outDir, 'facts.json');
  if (args[0] === '--facts') {
    const sources = Object.fromEntries(args.slice(1).map((a) => a.split('=') as [string, string]));
    writeFileSync(factsPath, `${JSON.stringify(extractFacts(sources))}\n`);
  }
  const packages = JSON.parse(readFileSync(factsPath, 'utf8')) as Packages;
  const { definitions, gvks } = buildDefinitions(readModels(modelsDir), packages);
  for (const f of readdirSync(outDir)) {
    if (f.startsWith('io.k8s.')) {
      rmSync(join(outDir, f));
    }
  }
  const byPkg = new Map<string, Record<string, unknown>>();
  for (const name of Object.keys(definitions).sort()) {
    const pkg = name.slice(0, name.lastIndexOf('.'));
    const defs = byPkg.get(pkg) ?? {};
    defs[name] = definitions[name];
    byPkg.set(pkg, defs);
  }
  for (const [pkg, defs] of byPkg) {
    writeFileSync(join(outDir, `${pkg}.json`), `${JSON.stringify(defs)}\n`);
  }
  const sortedGvks = Object.fromEntries(Object.entries(gvks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(join(outDir, 'index.json'), `${JSON.stringify({ packages: [...byPkg.keys()].sort(), gvks: sortedGvks }, null, 1)}\n`);
  console.log(`${Object.keys(definitions).length} definitions in ${byPkg.size} packages, ${Object.keys(gvks).length} kinds`);
}

main();
