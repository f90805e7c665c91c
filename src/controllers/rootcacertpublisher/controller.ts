/**
 * The root CA certificate publisher: a `kube-root-ca.crt` ConfigMap (key `ca.crt`) in every
 * active namespace holding the cluster CA bundle, put back when deleted or edited.
 */
import { readFile } from 'node:fs/promises';
import type { KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, runQueue, unwrap } from '../manager/kit.ts';

/** Upstream's registration name. */
export const Name = 'root-ca-certificate-publisher-controller';

/** The ConfigMap every namespace gets. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

/** Upstream's description annotation on the ConfigMap. */
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

interface Namespace extends KubeObject {
  status?: { phase?: string };
}

/** Factory for the registration table; the bundle is --root-ca-file, else the kubeconfig's CA. */
export function rootCaPublisherFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'root_ca_cert_publisher' });
  const namespaces = ctx.informers.informerFor<Namespace>(R.namespaces);
  const configmaps = ctx.informers.informerFor<ConfigMap>({ ...R.configmaps, fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
  namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata.name ?? ''), onUpdate: (_o, ns) => queue.add(ns.metadata.name ?? '') });
  configmaps.addEventHandler({ onUpdate: (_o, cm) => queue.add(cm.metadata.namespace ?? ''), onDelete: (cm) => queue.add(unwrap(cm).metadata.namespace ?? '') });
  let bundle = '';

  const sync = async (name: string): Promise<void> => {
    const ns = namespaces.lister.get('', name);
    if (ns === undefined || ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') {
      return;
    }
    const cm = configmaps.lister.get(name, ROOT_CA_CONFIGMAP);
    const ref = { ...R.configmaps, namespace: name };
    try {
      if (cm === undefined) {
        await ctx.client.create(ref, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, annotations: { 'kubernetes.io/description': DESCRIPTION } }, data: { 'ca.crt': bundle } });
      } else if (cm.data?.['ca.crt'] !== bundle || Object.keys(cm.data).length !== 1 || cm.metadata.annotations?.['kubernetes.io/description'] !== DESCRIPTION) {
        const next = structuredClone(cm) as ConfigMap;
        next.data = { 'ca.crt': bundle };
        next.metadata.annotations = { ...next.metadata.annotations, 'kubernetes.io/description': DESCRIPTION };
        await ctx.client.update({ ...ref, name: ROOT_CA_CONFIGMAP }, next);
      }
    } catch (e) {
      if (!isAlreadyExists(e) && !isNotFound(e) && !/being terminated/.test((e as Error).message)) {
        throw e;
      }
    }
  };

  return {
    run: async (workers, signal) => {
      bundle = ctx.options.rootCaFile !== '' ? await readFile(ctx.options.rootCaFile, 'utf8') : (ctx.client.connection.caPem ?? '');
      if (bundle === '') {
        ctx.logger('warning', `${Name}: no --root-ca-file and no CA in the kubeconfig; not publishing ${ROOT_CA_CONFIGMAP}`);
        return;
      }
      await Promise.all([namespaces.waitForSync(signal), configmaps.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
