/** The cluster PKI: CA, certificates, service-account keys (see cluster.ts for the file layout). */
export { ensureCa, loadCa, issueClientCert, issueServingCert, certStillGood, signCertificateRequest } from './ca.ts';
export type { CertificateAuthority, KeyPairPem, SignRequest } from './ca.ts';
export { ensureClusterPki, ensureClientCert, apiserverSans, ADMIN_USER, ADMIN_GROUPS, KUBELET_CLIENT_USER, KUBELET_CLIENT_GROUPS, DEFAULT_KUBERNETES_SERVICE_IP } from './cluster.ts';
export type { ClusterPki, KeyPairFiles } from './cluster.ts';
export { generateKeyPair, privateKeyToPem, publicKeyToPem, privateKeyFromPem, publicKeyFromPem } from './keys.ts';
