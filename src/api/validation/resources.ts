/** Resource requirements and quantities (ValidateResourceRequirements, ValidateResourceQuantityValue). */
import type { FieldError } from '../errors.ts';
import { QuantityFormatError, tryParseQuantity, parseQuantity } from '../quantity.ts';
import type { Quantity } from '../quantity.ts';
import { asObj, child, invalid, key, required } from './field.ts';
import { isQualifiedName } from './names.ts';

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Native resources have no domain or a kubernetes.io domain. */
function isNative(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Overcommit (request < limit) is allowed for native resources except hugepages. */
function isOvercommitAllowed(name: string): boolean {
  return isNative(name) && !isHugePages(name);
}

function isExtended(name: string): boolean {
  if (isNative(name) || name.startsWith('requests.')) {
    return false;
  }
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** Integer-only resources: extended resources (and hugepages are byte counts, not integers). */
function isIntegerResource(name: string): boolean {
  return isExtended(name);
}

/** Parses a quantity field, reporting upstream's decode message when it does not parse. */
export function quantityAt(value: unknown, path: string, errs: FieldError[]): Quantity | undefined {
  const q = tryParseQuantity(value);
  if (q === undefined) {
    let message = QuantityFormatError;
    try {
      parseQuantity(typeof value === 'string' || typeof value === 'number' ? value : '');
    } catch (e) {
      message = (e as Error).message;
    }
    errs.push(invalid(path, value ?? null, message));
  }
  return q;
}

/** Non-negative (and integral, for integer resources) quantity. */
export function validateResourceQuantityValue(resource: string, q: Quantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.sign() < 0) {
    errs.push(invalid(path, q.toString(), 'must be greater than or equal to 0'));
  }
  if (isIntegerResource(resource) && q.milliValue() % 1000 !== 0) {
    errs.push(invalid(path, q.toString(), 'must be an integer'));
  }
  return errs;
}

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length > 0) {
    return errs;
  }
  if (!name.includes('/')) {
    if (!standardContainerResources.has(name) && !isHugePages(name)) {
      errs.push(invalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Container (or pod-level) resources: names, quantities, requests ≤ limits. */
export function validateResourceRequirements(resources: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = asObj(resources);
  if (r === undefined) {
    return errs;
  }
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(asObj(r.limits) ?? {})) {
    const p = key(limPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (q !== undefined) {
      errs.push(...validateResourceQuantityValue(name, q, p));
      limits.set(name, q);
    }
  }
  for (const [name, raw] of Object.entries(asObj(r.requests) ?? {})) {
    const p = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (q === undefined) {
      continue;
    }
    errs.push(...validateResourceQuantityValue(name, q, p));
    const limit = limits.get(name);
    if (limit !== undefined) {
      if (q.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (q.cmp(limit) > 0) {
        errs.push(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}
