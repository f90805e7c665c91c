/** apiextensions.k8s.io/v1 CustomResourceDefinition validation (names, group, scope, versions, schema presence). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { asArr, asObj, asStr, child, immutable, index, invalid, notSupported, rendered, required } from './field.ts';
import { isDNS1035Label, isDNS1123Subdomain } from './names.ts';

function goVersions(versions: unknown[]): string {
  return `[]apiextensions.CustomResourceDefinitionVersion{${versions.map((v) => `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(asStr(asObj(v)?.name))}, ...}`).join(', ')}}`;
}

function validateNames(names: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['plural', 'singular']) {
    const v = asStr(names[f]);
    const msgs = isDNS1035Label(v);
    if (v !== '' && msgs.length > 0) {
      errs.push(invalid(child(path, f), v, msgs.join(',')));
    }
  }
  for (const f of ['kind', 'listKind']) {
    const v = asStr(names[f]);
    const msgs = isDNS1035Label(v.toLowerCase());
    if (v !== '' && msgs.length > 0) {
      errs.push(invalid(child(path, f), v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
    }
  }
  asArr(names.shortNames).forEach((s, i) => {
    const msgs = isDNS1035Label(asStr(s));
    if (msgs.length > 0) {
      errs.push(invalid(index(child(path, 'shortNames'), i), asStr(s), msgs.join(',')));
    }
  });
  if (asStr(names.kind) !== '' && names.kind === names.listKind) {
    errs.push(invalid(child(path, 'listKind'), asStr(names.listKind), 'kind and listKind may not be the same'));
  }
  asArr(names.categories).forEach((c, i) => {
    const msgs = isDNS1035Label(asStr(c));
    if (msgs.length > 0) {
      errs.push(invalid(index(child(path, 'categories'), i), asStr(c), msgs.join(',')));
    }
  });
  for (const f of ['plural', 'singular', 'kind', 'listKind']) {
    if (asStr(names[f]) === '') {
      errs.push(required(child(path, f), ''));
    }
  }
  return errs;
}

/** CRD on create and update. */
export function validateCRD(crd: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(crd.spec) ?? {};
  const errs: FieldError[] = [];
  const names = asObj(spec.names) ?? {};
  const group = asStr(spec.group);
  const name = asStr(crd.metadata?.name);
  if (name !== `${asStr(names.plural)}.${group}`) {
    errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (group === '') {
    errs.push(required('spec.group', ''));
  } else {
    errs.push(...isDNS1123Subdomain(group).map((m) => invalid('spec.group', group, m)));
    if (group.split('.').length < 2) {
      errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
    }
  }
  const scope = asStr(spec.scope);
  if (scope === '') {
    errs.push(required('spec.scope', ''));
  } else if (scope !== 'Cluster' && scope !== 'Namespaced') {
    errs.push(notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  }
  const versions = asArr(spec.versions);
  if (versions.length === 0) {
    errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  }
  let storage = 0;
  const seen = new Set<string>();
  let duplicates = false;
  versions.forEach((raw, i) => {
    const v = asObj(raw) ?? {};
    const p = index('spec.versions', i);
    const vname = asStr(v.name);
    if (v.storage === true) {
      storage++;
    }
    if (seen.has(vname)) {
      duplicates = true;
    }
    seen.add(vname);
    errs.push(...isDNS1035Label(vname).map((m) => invalid(child(p, 'name'), vname, m)));
    const schema = asObj(asObj(v.schema)?.openAPIV3Schema);
    if (schema === undefined) {
      errs.push(required(child(p, 'schema', 'openAPIV3Schema'), 'schemas are required'));
    } else if (asStr(schema.type) !== 'object') {
      errs.push(asStr(schema.type) === '' ? required(child(p, 'schema', 'openAPIV3Schema', 'type'), 'must not be empty at the root') : invalid(child(p, 'schema', 'openAPIV3Schema', 'type'), asStr(schema.type), 'must be object at the root'));
    }
  });
  if (versions.length > 0 && storage !== 1) {
    errs.push(invalid('spec.versions', rendered(goVersions(versions)), 'must have exactly one version marked as storage version'));
  }
  if (duplicates) {
    errs.push(invalid('spec.versions', rendered(goVersions(versions)), 'must contain unique version names'));
  }
  errs.push(...validateNames(names, 'spec.names'));
  const conversion = asStr(asObj(spec.conversion)?.strategy);
  if (conversion !== '' && conversion !== 'None' && conversion !== 'Webhook') {
    errs.push(notSupported('spec.conversion.strategy', conversion, ['None', 'Webhook']));
  }
  if (old !== undefined) {
    errs.push(...immutable('spec.group', group, asStr(asObj(old.spec)?.group)));
  }
  return errs;
}
