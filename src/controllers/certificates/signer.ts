/**
 * The CSR signing controller (upstream's `certificatesigningrequest-signing-controller`): signs
 * approved CertificateSigningRequests for the kube-apiserver-client, kube-apiserver-client-kubelet
 * and kubelet-serving signers with the cluster CA (--cluster-signing-cert-file / -key-file), so
 * `kubectl certificate approve` gives a user a working client certificate. A request the signer's
 * rules refuse gets a `Failed` condition, as upstream.
 */
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { WorkQueue } from '../../client/index.ts';
import { loadCa, signCertificateRequest } from '../../pki/index.ts';
import type { CertificateAuthority } from '../../pki/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { enqueueHandler, runQueue } from '../manager/kit.ts';
import { parseGoDuration } from '../manager/options.ts';
import { rfc3339Now } from '../../api/time.ts';
import { decide } from './policy.ts';
import type { CsrView } from './policy.ts';

/** Upstream's registration name. */
export const Name = 'certificatesigningrequest-signing-controller';

const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;

type Csr = KubeObject & CsrView;

/** Factory for the registration table; without both signing files the controller stays idle. */
export function csrSigningControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'certificate' });
  const csrs = ctx.informers.informerFor<Csr>(CSRS);
  csrs.addEventHandler(enqueueHandler(queue));
  const certFile = String(ctx.options.flags['cluster-signing-cert-file'] ?? '');
  const keyFile = String(ctx.options.flags['cluster-signing-key-file'] ?? '');
  const durationMs = parseGoDuration(String(ctx.options.flags['cluster-signing-duration'] ?? '8760h0m0s'));
  let ca: CertificateAuthority | undefined;

  const writeStatus = async (csr: DeepReadonly<Csr>, status: Record<string, unknown>): Promise<void> => {
    const next = { ...structuredClone(csr as Csr), status };
    try {
      await ctx.client.subresource('PUT', { ...CSRS, name: csr.metadata.name ?? '', subresource: 'status' }, next);
    } catch (e) {
      // A newer version comes through the informer and is synced again; a deleted one needs nothing.
      if (!isConflict(e) && !isNotFound(e)) {
        throw e;
      }
    }
  };

  const sync = async (name: string): Promise<void> => {
    const csr = csrs.lister.get('', name);
    if (csr === undefined || ca === undefined) {
      return;
    }
    const decision = decide(csr, durationMs);
    const status = structuredClone((csr.status ?? {}) as Record<string, unknown>);
    if (decision.action === 'skip') {
      return;
    }
    if (decision.action === 'fail') {
      const conditions = [...((status.conditions as unknown[] | undefined) ?? [])];
      const now = rfc3339Now();
      conditions.push({ type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: decision.message, lastUpdateTime: now, lastTransitionTime: now });
      await writeStatus(csr, { ...status, conditions });
      return;
    }
    const pem = await signCertificateRequest(ca, {
      csrPem: Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8'),
      keyUsages: decision.keyUsages,
      extendedUsages: decision.extendedUsages,
      durationMs: decision.durationMs,
    });
    await writeStatus(csr, { ...status, certificate: Buffer.from(pem).toString('base64') });
  };

  return {
    run: async (workers, signal) => {
      if (certFile === '' || keyFile === '') {
        ctx.logger('info', `${Name}: no --cluster-signing-cert-file/--cluster-signing-key-file; not signing certificates`);
        return;
      }
      ca = await loadCa(certFile, keyFile);
      await csrs.waitForSync(signal);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
