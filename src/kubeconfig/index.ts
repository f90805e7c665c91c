/** kubeconfig files: types, load/write, kind-style merge, and context resolution. */
export type { Kubeconfig, KubeconfigCluster, KubeconfigUser, KubeconfigContext, NamedCluster, NamedUser, NamedContext } from './types.ts';
export { emptyKubeconfig } from './types.ts';
export { parseKubeconfig, loadKubeconfig, stringifyKubeconfig, writeKubeconfig, userKubeconfigPath } from './file.ts';
export { adminKubeconfig, tokenKubeconfig, mergeKubeconfig, mergeIntoUserKubeconfig, DEFAULT_CONTEXT_NAME } from './merge.ts';
export { resolveContext } from './resolve.ts';
export type { ClientConnection } from './resolve.ts';
