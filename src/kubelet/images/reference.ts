/**
 * Image references normalised like upstream's docker/distribution reference package
 * (`ParseNormalizedNamed` + `TagNameOnly`): a name without a registry is on docker.io, a
 * single-component docker.io name is under `library/`, and a reference with neither tag nor
 * digest means `:latest`.
 */

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host (with port), e.g. `docker.io`, `127.0.0.1:5000`. */
  readonly domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** An image reference that cannot be parsed. */
export class InvalidReferenceError extends Error {
  constructor(ref: string, why: string) {
    super(`invalid reference format: ${why}: "${ref}"`);
    this.name = 'InvalidReferenceError';
  }
}

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const domainPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

/** Parses and normalises `ref`; adds `latest` when neither tag nor digest is given. */
export function parseReference(ref: string): ImageReference {
  let rest = ref.trim();
  if (rest === '') {
    throw new InvalidReferenceError(ref, 'repository name must have at least one component');
  }
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) {
      throw new InvalidReferenceError(ref, 'invalid digest');
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) {
      throw new InvalidReferenceError(ref, 'invalid tag');
    }
  }
  let domain = 'docker.io';
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') {
    domain = 'docker.io';
  }
  if (!domainPattern.test(domain)) {
    throw new InvalidReferenceError(ref, 'invalid domain');
  }
  if (domain === 'docker.io' && !path.includes('/')) {
    path = `library/${path}`;
  }
  for (const component of path.split('/')) {
    if (!pathComponent.test(component)) {
      throw new InvalidReferenceError(ref, component !== component.toLowerCase() ? 'repository name must be lowercase' : 'invalid repository name');
    }
  }
  if (tag === undefined && digest === undefined) {
    tag = 'latest';
  }
  return { domain, path, tag, digest };
}

/** The repository name with its domain, e.g. `docker.io/library/busybox`. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised reference string, e.g. `docker.io/library/busybox:latest`. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Parses and formats in one step: the canonical key under which the store records a reference. */
export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}
