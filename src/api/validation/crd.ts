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
  return errs;
}

function isEstablished(crd: KubeObject): boolean {
  return asArr(asObj(crd.status)?.conditions).some((c) => asObj(c)?.type === 'Established' && asObj(c)?.status === 'True');
}

/** CRD on create and update, in upstream's order (validateCustomResourceDefinitionSpec). */
export function validateCRD(crd: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(crd.spec) ?? {};
  const errs: FieldError[] = [];
  const names = asObj(spec.names) ?? {};
  const group = asStr(spec.group);
  const name = asStr(crd.metadata?.name);
  // Part of upstream's name validation function, so it reads as a metadata.name error.
  if (name !== '' && name !== `${asStr(names.plural)}.${group}`) {
    errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (group === '') {
    errs.push(required('spec.group', ''));
  } else if (isDNS1123Subdomain(group).length > 0) {
    errs.push(invalid('spec.group', group, isDNS1123Subdomain(group).join(',')));
  } else if (group.split('.').length < 2) {
    errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const scope = asStr(spec.scope);
  if (scope === '') {
    errs.push(required('spec.scope', ''));
  } else if (scope !== 'Cluster' && scope !== 'Namespaced') {
    errs.push(notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  }
  const versions = asArr(spec.versions).map((v) => asObj(v) ?? {});
  versions.forEach((v, i) => {
    if (asObj(asObj(v.schema)?.openAPIV3Schema) === undefined) {
      errs.push(required(child(index('spec.versions', i), 'schema', 'openAPIV3Schema'), 'schemas are required'));
    }
  });
  let storage = 0;
  const seen = new Set<string>();
  let duplicates = false;
  versions.forEach((v, i) => {
    const p = index('spec.versions', i);
    const vname = asStr(v.name);
    if (v.storage === true) {
      storage++;
    }
    if (seen.has(vname)) {
      duplicates = true;
    }
    seen.add(vname);
    const msgs = isDNS1035Label(vname);
    if (msgs.length > 0) {
      errs.push(invalid(child(p, 'name'), vname, msgs.join(',')));
    }
    const schema = asObj(asObj(v.schema)?.openAPIV3Schema);
    if (schema !== undefined && asStr(schema.type) !== 'object') {
      const tp = child(p, 'schema', 'openAPIV3Schema', 'type');
      errs.push(asStr(schema.type) === '' ? required(tp, 'must not be empty at the root') : invalid(tp, asStr(schema.type), 'must be object at the root'));
    }
  });
  if (duplicates) {
    errs.push(invalid('spec.versions', rendered(goVersions(versions)), 'must contain unique version names'));
  }
  if (storage !== 1) {
    errs.push(invalid('spec.versions', rendered(goVersions(versions)), 'must have exactly one version marked as storage version'));
  }
  for (const f of ['plural', 'singular', 'kind', 'listKind']) {
    if (asStr(names[f]) === '') {
      errs.push(required(child('spec.names', f), ''));
    }
  }
  errs.push(...validateNames(names, 'spec.names'));
  const conversion = asObj(spec.conversion);
  if (conversion !== undefined) {
    const strategy = asStr(conversion.strategy);
    if (strategy === '') {
      errs.push(required('spec.conversion.strategy', ''));
    } else if (strategy !== 'None' && strategy !== 'Webhook') {
      errs.push(notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
    } else if (strategy === 'Webhook' && asObj(conversion.webhook)?.clientConfig == null) {
      errs.push(required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
    }
  }
  if (old !== undefined) {
    const oldSpec = asObj(old.spec) ?? {};
    if (isEstablished(old)) {
      errs.push(...immutable('spec.scope', scope, asStr(oldSpec.scope)));
      errs.push(...immutable('spec.names.kind', asStr(names.kind), asStr(asObj(oldSpec.names)?.kind)));
    }
    errs.push(...immutable('spec.group', group, asStr(oldSpec.group)));
    errs.push(...immutable('spec.names.plural', asStr(names.plural), asStr(asObj(oldSpec.names)?.plural)));
  }
  return errs;
}
