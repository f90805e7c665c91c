/**
 * ResourceDescriptions for custom resources, derived from a CustomResourceDefinition the way
 * apiextensions-apiserver serves them: names, scope, per-version subresources (status,
 * scale) and selectableFields.
 */
import type { KubeObject } from '../object.ts';
import type { ResourceDescription, SubresourceDescription } from '../resource.ts';
import { crdTableConvertor, customResourceTableConvertor, registerTableConvertor } from '../tables/index.ts';
import { allVerbs, readPath, sub } from './describe.ts';

interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

interface CrdScale {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

interface CrdVersion {
  name?: string;
  subresources?: { status?: unknown; scale?: CrdScale };
  selectableFields?: { jsonPath?: string }[];
}

interface CrdSpec {
  group?: string;
  names?: CrdNames;
  scope?: string;
  versions?: CrdVersion[];
}

/** Formats a selectable field's value as upstream does (strings as-is, bools/ints via their text). */
function selectableValue(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'boolean' || typeof v === 'number') {
    return String(v);
  }
  return '';
}

/**
 * Makes Table output for this CRD version use its additionalPrinterColumns. A column whose
 * JSONPath falls outside the supported subset leaves the version with the default AGE column.
 */
function registerColumns(crd: KubeObject, group: string, plural: string, version: string): void {
  let convertor;
  try {
    convertor = crdTableConvertor(crd, version);
  } catch {
    convertor = customResourceTableConvertor(undefined);
  }
  registerTableConvertor(group, plural, version, convertor);
}

/**
 * The description serving `crd`'s `version` (`/apis/<group>/<version>/<plural>`); throws if
 * the version is not declared. Also registers the version's printer columns with the tables
 * module, so `tableConvertorFor(group, plural, version)` serves them.
 */
export function customResourceDescription(crd: KubeObject, version: string): ResourceDescription {
  const spec = (crd.spec ?? {}) as CrdSpec;
  const group = spec.group ?? '';
  const names = spec.names ?? {};
  const kind = names.kind ?? '';
  const plural = names.plural ?? '';
  const v = (spec.versions ?? []).find((x) => x.name === version);
  if (v === undefined) {
    throw new Error(`customresourcedefinition ${crd.metadata.name ?? ''} has no version ${version}`);
  }
  const subresources: SubresourceDescription[] = [];
  const scale = v.subresources?.scale;
  if (scale !== undefined) {
    subresources.push(sub('scale', 'autoscaling', 'v1', 'Scale'));
  }
  const hasStatus = v.subresources?.status !== undefined && v.subresources.status !== null;
  if (hasStatus) {
    subresources.push(sub('status', group, version, kind));
  }
  registerColumns(crd, group, plural, version);
  const fieldSelectors: Record<string, (obj: KubeObject) => string> = {};
  for (const f of v.selectableFields ?? []) {
    const path = (f.jsonPath ?? '').replace(/^\./, '');
    if (path !== '') {
      fieldSelectors[path] = (obj) => selectableValue(readPath(obj, path));
    }
  }
  return {
    group,
    version,
    kind,
    listKind: names.listKind ?? `${kind}List`,
    resource: plural,
    singular: names.singular ?? kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    verbs: allVerbs,
    subresources,
    hasStatus,
    ...(scale !== undefined
      ? { scale: { specReplicasPath: scale.specReplicasPath ?? '.spec.replicas', statusReplicasPath: scale.statusReplicasPath ?? '.status.replicas', ...(scale.labelSelectorPath !== undefined ? { labelSelectorPath: scale.labelSelectorPath } : {}) } }
      : {}),
    // Custom resources bump generation on any change outside metadata and status.
    bumpsGeneration: true,
    fieldSelectors,
    // Upstream keys custom resources under /registry/<group>/<plural>/...
    storagePrefix: `${group}/${plural}`,
  };
}
