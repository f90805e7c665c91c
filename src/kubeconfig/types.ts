/**
 * kubeconfig (clientcmd/api/v1) shapes: only the fields k8ts reads or writes are typed; any
 * other field a user's file carries survives a load → merge → write round trip untouched.
 */

/** `clusters[].cluster` */
export interface KubeconfigCluster {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  [extra: string]: unknown;
}

/** `users[].user` */
export interface KubeconfigUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  [extra: string]: unknown;
}

/** `contexts[].context` */
export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
  [extra: string]: unknown;
}

/** `clusters[]` entry. */
export interface NamedCluster {
  name: string;
  cluster: KubeconfigCluster;
  [extra: string]: unknown;
}

/** `users[]` entry. */
export interface NamedUser {
  name: string;
  user: KubeconfigUser;
  [extra: string]: unknown;
}

/** `contexts[]` entry. */
export interface NamedContext {
  name: string;
  context: KubeconfigContext;
  [extra: string]: unknown;
}

/** A whole kubeconfig file (`apiVersion: v1`, `kind: Config`). */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
  'current-context': string;
  preferences?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** An empty kubeconfig, as client-go writes one. */
export function emptyKubeconfig(): Kubeconfig {
  return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], 'current-context': '', preferences: {} };
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/**
 * A parsed kubeconfig document (a mapping) as a Kubeconfig: apiVersion/kind set, list fields that
 * are null or missing become [], entries that are not mappings are dropped. Kept free of the YAML
 * library so that kubectl's fast path for simple files can use it without loading the parser.
 */
export function kubeconfigFromDocument(doc: Readonly<Record<string, unknown>>): Kubeconfig {
  const cfg = { ...emptyKubeconfig(), ...doc } as Kubeconfig;
  cfg.apiVersion = 'v1';
  cfg.kind = 'Config';
  cfg.clusters = records(doc.clusters) as Kubeconfig['clusters'];
  cfg.users = records(doc.users) as Kubeconfig['users'];
  cfg.contexts = records(doc.contexts) as Kubeconfig['contexts'];
  cfg['current-context'] = typeof doc['current-context'] === 'string' ? doc['current-context'] : '';
  return cfg;
}
