/**
 * Built-in definitions, loaded lazily per upstream package from the committed JSON under
 * generated/ (written by scripts/gen-schemas.ts) and cached for the life of the process.
 */
import { readFileSync } from 'node:fs';
import type { SchemaNode } from './node.ts';

interface GeneratedIndex {
  packages: string[];
  /** `group/version/Kind` → definition name. */
  gvks: Record<string, string>;
}

const generatedDir = new URL('./generated/', import.meta.url);
let index: GeneratedIndex | undefined;
const packages = new Map<string, Readonly<Record<string, SchemaNode>>>();

function loadIndex(): GeneratedIndex {
  index ??= JSON.parse(readFileSync(new URL('index.json', generatedDir), 'utf8')) as GeneratedIndex;
  return index;
}

/** The package part of a definition name: io.k8s.api.core.v1.Pod → io.k8s.api.core.v1. */
export function packageOf(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}

/** Every definition of one upstream package (empty when the package is unknown). */
export function builtinPackage(pkg: string): Readonly<Record<string, SchemaNode>> {
  let defs = packages.get(pkg);
  if (defs === undefined) {
    defs = loadIndex().packages.includes(pkg) ? (JSON.parse(readFileSync(new URL(`${pkg}.json`, generatedDir), 'utf8')) as Record<string, SchemaNode>) : {};
    packages.set(pkg, defs);
  }
  return defs;
}

/** A built-in definition by its upstream name (io.k8s.api.core.v1.Container). */
export function builtinDefinition(name: string): SchemaNode | undefined {
  return builtinPackage(packageOf(name))[name];
}

/** The definition name of a built-in kind, e.g. apps/v1 Deployment → io.k8s.api.apps.v1.Deployment. */
export function builtinDefinitionName(group: string, version: string, kind: string): string | undefined {
  return loadIndex().gvks[`${group}/${version}/${kind}`];
}
