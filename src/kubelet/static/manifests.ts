/**
 * Static pod manifests (`--pod-manifest-path`): reads the Pod files of a directory and turns each
 * into the pod the kubelet runs itself, named and annotated as upstream's file source does.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultPodSpec } from '../../api/defaults/pod.ts';
import { apiObjectReference } from '../../api/pod-references.ts';
import type { Pod } from '../pods/types.ts';

/** Upstream's annotations on static and mirror pods. */
export const ConfigAnnotations = {
  source: 'kubernetes.io/config.source',
  hash: 'kubernetes.io/config.hash',
  seen: 'kubernetes.io/config.seen',
  mirror: 'kubernetes.io/config.mirror',
} as const;

/** A static pod read from one file. */
export interface StaticPod {
  readonly file: string;
  /** The pod as run: `<name>-<node>`, uid = config hash, spec.nodeName set, defaults applied. */
  readonly pod: Pod;
  readonly hash: string;
}

type Obj = Record<string, unknown>;

// As upstream's file source: every file not hidden, whatever its extension.
const isManifestFile = (name: string): boolean => !name.startsWith('.');

/** Turns one parsed manifest into the static pod the node runs; throws on what is not a Pod. */
export function staticPodFrom(manifest: unknown, nodeName: string, file: string): StaticPod {
  if (typeof manifest !== 'object' || manifest === null || (manifest as Obj).kind !== 'Pod') {
    throw new Error(`${file}: not a Pod manifest`);
  }
  const pod = structuredClone(manifest) as Obj;
  const metadata = (pod.metadata ?? {}) as Obj;
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    throw new Error(`${file}: metadata.name is required`);
  }
  const spec = (pod.spec ?? {}) as Obj;
  defaultPodSpec(spec);
  spec.nodeName = nodeName;
  const name = `${metadata.name}-${nodeName}`;
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
  // The hash covers what the node runs, so an edit of the file yields a new pod (and restart).
  const hash = createHash('md5').update(JSON.stringify({ name, namespace, labels: metadata.labels, annotations: metadata.annotations, spec })).digest('hex');
  const annotations = { ...(metadata.annotations as Record<string, string> | undefined), [ConfigAnnotations.source]: 'file', [ConfigAnnotations.hash]: hash, [ConfigAnnotations.seen]: new Date().toISOString() };
  const built = { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, name, namespace, uid: hash, annotations }, spec, status: {} };
  // The kubelet runs a static pod without the API server, so it may name no API object (upstream
  // refuses the manifest since 1.34; before, it ran the pod while its mirror pod was refused).
  const resource = apiObjectReference(built);
  if (resource !== undefined) {
    throw new Error(`${file}: static pods may not reference ${resource}`);
  }
  return { file, pod: built as unknown as Pod, hash };
}

/** Reads every Pod manifest of `dir` (each regular file not hidden); bad files are reported and skipped. */
export async function readStaticPods(dir: string, nodeName: string, log: (m: string) => void): Promise<StaticPod[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    log(`unable to read pod manifest path "${dir}": ${(e as Error).message}`);
    return [];
  });
  const pods: StaticPod[] = [];
  for (const entry of entries.filter((e) => isManifestFile(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) {
      continue; // as upstream: no recursion into subdirectories
    }
    try {
      const text = await readFile(file, 'utf8');
      const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
      if (docs.length !== 1) {
        throw new Error(`${file}: expected exactly one Pod, found ${docs.length} documents`);
      }
      pods.push(staticPodFrom(docs[0], nodeName, file));
    } catch (e) {
      log(`could not process manifest file: ${(e as Error).message}`);
    }
  }
  return pods;
}
