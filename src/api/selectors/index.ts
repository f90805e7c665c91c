/**
 * Label and field selectors (apimachinery labels / fields), plus the glue the registry uses
 * to filter objects of one resource: `objectMatcher(desc, labelSelector, fieldSelector)`.
 */
import type { KubeObject } from '../object.ts';
import type { ResourceDescription } from '../resource.ts';
import { checkFieldSelectorFields, parseFieldSelector } from './fields.ts';
import type { FieldSelector } from './fields.ts';
import { parseLabelSelector } from './labels.ts';
import type { LabelSelector } from './labels.ts';

export { everything, labelRequirement, labelSelectorFromMeta, labelSelectorFromSet, LabelOperator, nothing, parseLabelSelector, selectorOf } from './labels.ts';
export type { LabelRequirement, LabelSelector, LabelSelectorMeta, LabelSelectorRequirementMeta } from './labels.ts';
export { checkFieldSelectorFields, escapeFieldValue, FieldOperator, fieldSelectorOf, parseFieldSelector } from './fields.ts';
export type { FieldRequirement, FieldSelector } from './fields.ts';
export { labelKeyErrors, labelValueErrors } from './names.ts';

/** The value of a selectable field of `obj` (metadata.name, metadata.namespace, then the description's own). */
export function fieldValue(desc: ResourceDescription, obj: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') {
    return obj.metadata.name ?? '';
  }
  if (field === 'metadata.namespace') {
    return obj.metadata.namespace ?? '';
  }
  const read = Object.hasOwn(desc.fieldSelectors, field) ? desc.fieldSelectors[field] : undefined;
  return read === undefined ? undefined : read(obj);
}

/** True when `desc` can be filtered on `field`. */
export function supportsField(desc: ResourceDescription, field: string): boolean {
  return field === 'metadata.name' || field === 'metadata.namespace' || Object.hasOwn(desc.fieldSelectors, field);
}

/** Parses a fieldSelector for `desc`, rejecting unsupported fields with upstream's 400. */
export function parseFieldSelectorFor(desc: ResourceDescription, s: string): FieldSelector {
  const sel = parseFieldSelector(s);
  checkFieldSelectorFields(sel, (f) => supportsField(desc, f));
  return sel;
}

/**
 * Compiles the `labelSelector` / `fieldSelector` query values for `desc` into one
 * predicate; throws StatusError 400 (upstream's messages) for bad selectors.
 */
export function objectMatcher(desc: ResourceDescription, labelSelector: string | undefined, fieldSelector: string | undefined): (obj: KubeObject) => boolean {
  const labels: LabelSelector | undefined = labelSelector === undefined || labelSelector === '' ? undefined : parseLabelSelector(labelSelector);
  const fields: FieldSelector | undefined = fieldSelector === undefined || fieldSelector === '' ? undefined : parseFieldSelectorFor(desc, fieldSelector);
  if ((labels === undefined || labels.empty) && (fields === undefined || fields.empty)) {
    return () => true;
  }
  return (obj) => (labels === undefined || labels.matches(obj.metadata.labels)) && (fields === undefined || fields.matches((f) => fieldValue(desc, obj, f)));
}
