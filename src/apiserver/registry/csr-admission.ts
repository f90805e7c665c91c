/**
 * CertificateSigningRequest admission (upstream's CertificateApproval, CertificateSigning and
 * CertificateSubjectRestriction plugins): approving or denying through `/approval` needs the
 * `approve` verb on the request's signer (`signers` in certificates.k8s.io, named by signerName
 * or `<domain>/*`), setting the certificate through `/status` needs `sign` on it, and nobody may
 * ask the kube-apiserver-client signer for a system:masters certificate.
 */
import { forbidden } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { Decision } from '../authz/types.ts';
import type { Authorizer } from '../authz/types.ts';
import { x509 } from '../../pki/keys.ts';
import type { UserInfo, WriteContext } from './types.ts';

const GROUP = 'certificates.k8s.io';
const API_SERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

function isCsr(desc: ResourceDescription): boolean {
  return desc.group === GROUP && desc.resource === 'certificatesigningrequests';
}

function signerOf(obj: KubeObject): string {
  return String((obj.spec as { signerName?: unknown } | undefined)?.signerName ?? '');
}

/** Upstream's IsAuthorizedForSignerName: the signer by name, or every signer of its domain. */
function mayUseSigner(authorizer: Authorizer, user: UserInfo, verb: string, signer: string): boolean {
  const ask = (name: string): boolean => authorizer.authorize({ user, verb, resourceRequest: true, apiGroup: GROUP, apiVersion: '*', resource: 'signers', subresource: '', namespace: '', name, path: '' }).decision === Decision.Allow;
  const slash = signer.indexOf('/');
  return ask(signer) || (slash > 0 && ask(`${signer.slice(0, slash)}/*`));
}

function denied(obj: KubeObject, message: string): Error {
  const name = obj.metadata.name ?? '';
  return forbidden(`certificatesigningrequests.${GROUP} "${name}" is forbidden: ${message}`, { name, group: GROUP, kind: 'certificatesigningrequests' });
}

/** On create: no system:masters certificates from the kube-apiserver-client signer. */
export function admitCsrCreate(desc: ResourceDescription, obj: KubeObject): void {
  if (!isCsr(desc) || signerOf(obj) !== API_SERVER_CLIENT_SIGNER) {
    return;
  }
  let orgs: string[];
  try {
    const pem = Buffer.from(String((obj.spec as { request?: unknown } | undefined)?.request ?? ''), 'base64').toString('utf8');
    orgs = new x509.Pkcs10CertificateRequest(pem).subjectName.getField('O');
  } catch {
    return; // validation reports an unparsable request
  }
  if (orgs.includes('system:masters')) {
    throw denied(obj, `use of ${API_SERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`);
  }
}

/** On update: `/approval` needs approve, a changed certificate through `/status` needs sign, on the request's signer. */
export function admitCsrUpdate(desc: ResourceDescription, obj: KubeObject, old: KubeObject, subresource: string | undefined, ctx: WriteContext): void {
  if (!isCsr(desc) || ctx.authorizer === undefined) {
    return;
  }
  const signer = signerOf(old);
  if (subresource === 'approval' && !mayUseSigner(ctx.authorizer, ctx.user, 'approve', signer)) {
    throw denied(obj, `user not permitted to approve requests with signerName "${signer}"`);
  }
  const certificate = (s: KubeObject): unknown => (s.status as { certificate?: unknown } | undefined)?.certificate ?? '';
  if (subresource === 'status' && certificate(obj) !== certificate(old) && !mayUseSigner(ctx.authorizer, ctx.user, 'sign', signer)) {
    throw denied(obj, `user not permitted to sign requests with signerName "${signer}"`);
  }
}
