/**
 * Static pod manifests (`--pod-manifest-path`): reads the Pod files of a directory and turns each
 * into the pod the kubelet runs itself, named and annotated as upstream's file source does.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultPodSpec } from '../../api/defaults/pod.ts';
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

const isManifestFile = (name: string): boolean => !name.startsWith('.') && /\.(ya?ml|json)$/.test(name);

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
  return { file, pod: built as unknown as Pod, hash };
}

/** Reads every Pod manifest of `dir` (.yaml/.yml/.json, not hidden); bad files are reported and skipped. */
export async function readStaticPods(dir: string, nodeName: string, log: (m: string) => void): Promise<StaticPod[]> {
  const names = await readdir(dir).catch((e: unknown) => {
    log(`unable to read pod manifest path "${dir}": ${(e as Error).message}`);
    return [] as string[];
  });
  const pods: StaticPod[] = [];
  for (const name of names.filter(isManifestFile).sort()) {
    const file = join(dir, name);
    try {
      const text = await readFile(file, 'utf8');
      const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
      if (docs.length !== 1) {
        throw new Error(`${file}: expected exactly one Pod, found ${docs.length} documents`);
      }
      pods.push(staticPodFrom(docs[0], nodeName, file));
    } catch (e) {
      log(`static pod ${file}: ${(e as Error).message}`);
    }
  }
  return pods;
}
