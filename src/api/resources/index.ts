/**
 * The catalogue of built-in resources served by the API server. The resources module owns
 * this folder; this starter holds a few entries until the full catalogue lands.
 */
import type { ResourceDescription, SubresourceDescription, Verb } from '../resource.ts';

const allVerbs: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const status = (group: string, version: string, kind: string): SubresourceDescription => ({ name: 'status', group, version, kind, verbs: ['get', 'patch', 'update'] });

export const builtinResources: readonly ResourceDescription[] = [
  {
    group: '', version: 'v1', kind: 'Namespace', listKind: 'NamespaceList', resource: 'namespaces', singular: 'namespace', namespaced: false,
    shortNames: ['ns'], categories: [], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [status('', 'v1', 'Namespace')], hasStatus: true, bumpsGeneration: false, fieldSelectors: { 'status.phase': (o) => String((o.status as { phase?: string } | undefined)?.phase ?? '') },
  },
  {
    group: '', version: 'v1', kind: 'ConfigMap', listKind: 'ConfigMapList', resource: 'configmaps', singular: 'configmap', namespaced: true,
    shortNames: ['cm'], categories: [], verbs: allVerbs, subresources: [], hasStatus: false, bumpsGeneration: false, fieldSelectors: {},
  },
  {
    group: '', version: 'v1', kind: 'Pod', listKind: 'PodList', resource: 'pods', singular: 'pod', namespaced: true,
    shortNames: ['po'], categories: ['all'], verbs: allVerbs, subresources: [status('', 'v1', 'Pod')], hasStatus: true, bumpsGeneration: false,
    fieldSelectors: {
      'spec.nodeName': (o) => String((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
      'status.phase': (o) => String((o.status as { phase?: string } | undefined)?.phase ?? ''),
    },
    gracefulDeletion: true,
  },
  {
    group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', resource: 'deployments', singular: 'deployment', namespaced: true,
    shortNames: ['deploy'], categories: ['all'], verbs: allVerbs,
    subresources: [status('apps', 'v1', 'Deployment'), { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }],
    hasStatus: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' }, bumpsGeneration: true, fieldSelectors: {},
  },
];
