/**
 * RBAC end to end: an apiserver with `--authorization-mode=RBAC`, static-token users, and the real
 * kubectl 1.35 as the judge of the 403 texts, `auth can-i`, and role aggregation; then `k8ts up`
 * (Node,RBAC, every component under its own identity, controllers as their service accounts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { identityKubeconfig, startApiServer } from '../util/apiserver.ts';
import { startCluster, until } from './control-plane-cluster.ts';
import type { Cluster, Pod } from './control-plane-cluster.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import { adminKubeconfig, writeKubeconfig } from '../../src/kubeconfig/index.ts';
import { generateKeyPair, privateKeyToPem } from '../../src/pki/index.ts';
import { signingAlgorithm, x509 } from '../../src/pki/keys.ts';
import type { ClientEnv, RunResult } from '../util/kubectl.ts';

let server: TestApiServer;
let dataDir: string;
let admin: ClientEnv;
const users: Record<string, ClientEnv> = {};

/** A kubeconfig (in `dir`) for `name` authenticating with `token` against the cluster of the admin kubeconfig. */
async function tokenKubeconfig(name: string, token: string, adminKubeconfig = server.kubeconfig, dir = dataDir): Promise<string> {
  const adminCfg = parse(readFileSync(adminKubeconfig, 'utf8')) as { clusters: unknown[] };
  const cfg = {
    apiVersion: 'v1', kind: 'Config', clusters: adminCfg.clusters,
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: (adminCfg.clusters[0] as { name: string }).name, user: name, namespace: 'default' } }],
    'current-context': name,
  };
  const path = join(dir, `${name}.kubeconfig`);
  await writeFile(path, stringify(cfg), { mode: 0o600 });
  return path;
}

/** Retries until the apiserver's policy cache has caught up with a change just made. */
async function eventually(what: () => Promise<RunResult>, ok: (r: RunResult) => boolean): Promise<RunResult> {
  let last = await what();
  for (let i = 0; i < 50 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 200));
    last = await what();
  }
  return last;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-rbac-'));
  await mkdir(join(dataDir, 'pki'), { recursive: true });
  const tokens = join(dataDir, 'tokens.csv');
  await writeFile(tokens, 'jane-token,jane,u-jane\nbob-token,bob,u-bob,"devs,qa"\n', { mode: 0o600 });
  server = await startApiServer({ dataDir, extraArgs: ['--authorization-mode', 'RBAC', '--token-auth-file', tokens] });
  admin = clientEnv(server.kubeconfig);
  users.jane = clientEnv(await tokenKubeconfig('jane', 'jane-token'));
  users.bob = clientEnv(await tokenKubeconfig('bob', 'bob-token'));
});

after(async () => {
  for (const env of [admin, ...Object.values(users)]) {
    env?.cleanup();
  }
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the default cluster roles and bindings exist, as in every upstream cluster', async () => {
  const roles = await kubectlOk(admin, ['get', 'clusterroles', '-o', 'name']);
  for (const r of ['cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:kube-scheduler', 'system:basic-user']) {
    assert.match(roles, new RegExp(`^clusterrole.rbac.authorization.k8s.io/${r}$`, 'm'));
  }
  const binding = JSON.parse(await kubectlOk(admin, ['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json'])) as { subjects: { kind: string; name: string }[] };
  assert.deepEqual(binding.subjects.map((s) => `${s.kind}/${s.name}`), ['Group/system:masters']);
});

test('a user without bindings gets upstream\'s Forbidden texts and can-i answers no', async () => {
  const r = await kubectl(users.jane, ['get', 'pods']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  const named = await kubectl(users.jane, ['get', 'deployment', 'web']);
  assert.equal(named.stderr.trim(), 'Error from server (Forbidden): deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "default"');
  const cluster = await kubectl(users.jane, ['get', 'nodes']);
  assert.equal(cluster.stderr.trim(), 'Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
  const canI = await kubectl(users.jane, ['auth', 'can-i', 'list', 'pods']);
  assert.deepEqual([canI.code, canI.stdout.trim()], [1, 'no']);
  // Discovery and whoami are open to every authenticated user (system:discovery, system:basic-user).
  assert.match(await kubectlOk(users.jane, ['auth', 'whoami']), /Username\s+jane/);
  const raw = await kubectl(users.jane, ['get', '--raw', '/metrics']);
  assert.equal(raw.code, 1);
  assert.match(raw.stderr, /forbidden: User "jane" cannot get path "\/metrics"/);
});

test('a RoleBinding to the view ClusterRole grants reading in its namespace only', async () => {
  await kubectlOk(admin, ['create', 'namespace', 'team']);
  await kubectlOk(admin, ['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'team']);
  const r = await eventually(() => kubectl(users.jane, ['get', 'pods', '-n', 'team']), (x) => x.code === 0);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), 'No resources found in team namespace.');
  assert.equal((await kubectl(users.jane, ['get', 'pods', '-n', 'default'])).code, 1);
  const secrets = await kubectl(users.jane, ['get', 'secrets', '-n', 'team']);
  assert.match(secrets.stderr, /secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "team"/);
  assert.equal((await kubectl(users.jane, ['auth', 'can-i', 'watch', 'deployments.apps', '-n', 'team'])).stdout.trim(), 'yes');
  assert.equal((await kubectl(users.jane, ['auth', 'can-i', 'create', 'pods', '-n', 'team'])).stdout.trim(), 'no');
  const list = await kubectlOk(users.jane, ['auth', 'can-i', '--list', '-n', 'team']);
  assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
});

test('no escalation: a namespace admin may grant what they hold, not more, unless they may bind or escalate', async () => {
  await kubectlOk(admin, ['create', 'namespace', 'team2']);
  await kubectlOk(admin, ['create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'team2']);
  const held = await eventually(() => kubectl(users.jane, ['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'team2']), (x) => x.code === 0);
  assert.equal(held.stdout.trim(), 'role.rbac.authorization.k8s.io/pod-reader created', held.stderr);
  const more = await kubectl(users.jane, ['create', 'role', 'node-reader', '--verb=get,list', '--resource=nodes', '-n', 'team2']);
  assert.equal(more.code, 1);
  assert.equal(more.stderr.trim(), 'Error from server (Forbidden): roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}');
  const toAdmin = await kubectl(users.jane, ['create', 'rolebinding', 'jane-root', '--clusterrole=cluster-admin', '--user=jane', '-n', 'team2']);
  assert.equal(toAdmin.code, 1);
  assert.match(toAdmin.stderr, /rolebindings.rbac.authorization.k8s.io "jane-root" is forbidden: user "jane" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}\n\{NonResourceURLs:\["\*"\], Verbs:\["\*"\]\}/);
  assert.equal((await kubectl(users.jane, ['create', 'rolebinding', 'bob-edit', '--clusterrole=edit', '--user=bob', '-n', 'team2'])).code, 0);
  // Binding a role that does not exist yet would hand over whatever it later grants.
  const missing = await kubectl(users.jane, ['create', 'rolebinding', 'later', '--clusterrole=not-yet', '--user=jane', '-n', 'team2']);
  assert.match(missing.stderr, /clusterroles.rbac.authorization.k8s.io "not-yet" not found/);
  // Any change but the garbage collector's is checked, a label included (upstream's IsOnlyMutatingGCFields).
  await kubectlOk(admin, ['create', 'rolebinding', 'bob-root', '--clusterrole=cluster-admin', '--user=bob', '-n', 'team2']);
  const relabel = await kubectl(users.jane, ['label', 'rolebinding', 'bob-root', 'team=two', '-n', 'team2']);
  assert.equal(relabel.code, 1);
  assert.match(relabel.stderr, /rolebindings.rbac.authorization.k8s.io "bob-root" is forbidden: user "jane" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held/);
  assert.equal((await kubectl(users.jane, ['label', 'rolebinding', 'bob-edit', 'team=two', '-n', 'team2'])).code, 0, 'a binding of what jane holds');
  // With the bind verb on cluster-admin, the same binding is allowed.
  await kubectlOk(admin, ['create', 'clusterrole', 'bind-cluster-admin', '--verb=bind', '--resource=clusterroles', '--resource-name=cluster-admin']);
  await kubectlOk(admin, ['create', 'clusterrolebinding', 'jane-bind', '--clusterrole=bind-cluster-admin', '--user=jane']);
  const bound = await eventually(() => kubectl(users.jane, ['create', 'rolebinding', 'jane-root', '--clusterrole=cluster-admin', '--user=jane', '-n', 'team2']), (x) => x.code === 0);
  assert.equal(bound.code, 0, bound.stderr);
});

test('CSR approval needs approve on the signer; nobody gets system:masters from the client signer', async () => {
  const keys = await generateKeyPair();
  const csr = async (name: string, subject: string): Promise<string> => JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: Buffer.from((await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys, signingAlgorithm })).toString('pem')).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] },
  });
  const masters = await kubectl(admin, ['create', '-f', '-'], { stdin: await csr('root', 'CN=mallory, O=system:masters') });
  assert.equal(masters.code, 1);
  assert.match(masters.stderr, /certificatesigningrequests.certificates.k8s.io "root" is forbidden: use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  await kubectlOk(admin, ['create', '-f', '-'], { stdin: await csr('carol', 'CN=carol, O=devs') });
  await kubectlOk(admin, ['create', 'clusterrole', 'csr-approver', '--verb=get,list,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
  await kubectlOk(admin, ['create', 'clusterrolebinding', 'jane-csr', '--clusterrole=csr-approver', '--user=jane']);
  const refused = await eventually(() => kubectl(users.jane, ['certificate', 'approve', 'carol']), (x) => !/cannot get resource/.test(x.stderr));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /certificatesigningrequests.certificates.k8s.io "carol" is forbidden: user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/);
  // `approve` on every kubernetes.io signer (upstream's domain wildcard) is enough.
  // (signers are no served resource, so `kubectl create clusterrole` would refuse the rule.)
  await kubectlOk(admin, ['apply', '-f', '-'], { stdin: stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'signer-approver' }, rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/*'], verbs: ['approve'] }] }) });
  await kubectlOk(admin, ['create', 'clusterrolebinding', 'jane-signers', '--clusterrole=signer-approver', '--user=jane']);
  const approved = await eventually(() => kubectl(users.jane, ['certificate', 'approve', 'carol']), (x) => x.code === 0);
  assert.match(approved.stdout, /certificatesigningrequest.certificates.k8s.io\/carol approved/, approved.stderr);
});

test('group bindings to edit, and aggregation: a new aggregate-to-view role widens edit at once', async () => {
  await kubectlOk(admin, ['create', 'clusterrolebinding', 'devs-edit', '--clusterrole=edit', '--group=devs']);
  const created = await eventually(() => kubectl(users.bob, ['create', 'configmap', 'cfg', '--from-literal=a=b']), (x) => x.code === 0);
  assert.equal(created.stdout.trim(), 'configmap/cfg created', created.stderr);
  const before = await kubectl(users.bob, ['get', 'storageclasses']);
  assert.match(before.stderr, /storageclasses.storage.k8s.io is forbidden: User "bob" cannot list resource "storageclasses" in API group "storage.k8s.io" at the cluster scope/);
  await kubectlOk(admin, ['apply', '-f', '-'], {
    stdin: stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
      metadata: { name: 'storage-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] }],
    }),
  });
  const afterAgg = await eventually(() => kubectl(users.bob, ['get', 'storageclasses']), (x) => x.code === 0);
  assert.equal(afterAgg.code, 0, afterAgg.stderr);
  // Removing the binding takes the rights away again.
  await kubectlOk(admin, ['delete', 'clusterrolebinding', 'devs-edit']);
  const revoked = await eventually(() => kubectl(users.bob, ['get', 'configmap', 'cfg']), (x) => x.code !== 0);
  assert.match(revoked.stderr, /configmaps "cfg" is forbidden/);
});

test('k8ts up runs Node,RBAC: a user without bindings is denied, while every component works under its own identity', { timeout: 240_000 }, async () => {
  const cl: Cluster = await startCluster(2);
  const users: ClientEnv[] = [];
  try {
    // A client certificate for a user no binding names.
    const admin = parse(readFileSync(cl.env.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] };
    const certUser = async (base: string, user: string, groups: string[] = []): Promise<ClientEnv> => {
      const env = clientEnv(await identityKubeconfig(admin.clusters[0]?.cluster.server ?? '', cl.dataDir, base, user, groups));
      users.push(env);
      return env;
    };
    const nobody = await certUser('nobody', 'nobody');
    const denied = await kubectl(nobody, ['get', 'pods']);
    assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "default"');

    // The controllers run as their upstream service accounts, whose roles are the bootstrap ones.
    await until('the deployment-controller ServiceAccount', async () => ((await kubectl(cl.env, ['get', 'sa', '-n', 'kube-system', 'deployment-controller'])).code === 0 ? true : undefined));
    const token = (await kubectlOk(cl.env, ['create', 'token', 'deployment-controller', '-n', 'kube-system'])).trim();
    const sa = clientEnv(await tokenKubeconfig('deployment-controller', token, cl.env.kubeconfig, cl.tmp));
    users.push(sa);
    const asController = async (verb: string, what: string): Promise<string> => (await kubectl(sa, ['auth', 'can-i', verb, what])).stdout.trim();
    assert.equal(await asController('create', 'replicasets.apps'), 'yes');
    assert.equal(await asController('create', 'secrets'), 'no');

    // A Deployment gets Running pods on the simulated nodes.
    await cl.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
`);
    await cl.rollout('deployment/web');
    const pods = await cl.podsOf('app=web');
    assert.equal(pods.filter((p) => p.status?.phase === 'Running' && (p.spec.nodeName ?? '').startsWith('sim-')).length, 2);

    // A Job completes.
    await cl.apply(`apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    metadata: {annotations: {sim.k8ts.dev/exit-after-seconds: "1"}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`);
    await kubectlOk(cl.env, ['wait', '--for=condition=Complete', 'job/once', '--timeout=90s'], { timeoutMs: 100_000 });

    // The garbage collector deletes the dependents of a deleted Deployment.
    await kubectlOk(cl.env, ['delete', 'deployment', 'web', '--cascade=background']);
    await until('the ReplicaSet and pods of the deleted Deployment are gone', async () => {
      const left = (await cl.json<{ items: Pod[] }>(['get', 'replicasets,pods', '-l', 'app=web'])).items;
      return left.length === 0 ? true : undefined;
    }, 90_000);

    // The Node authorizer's graph: a kubelet reads the secrets of pods bound to its node, no others.
    await kubectlOk(cl.env, ['create', 'secret', 'generic', 'used', '--from-literal=a=b']);
    await kubectlOk(cl.env, ['create', 'secret', 'generic', 'unused', '--from-literal=a=b']);
    await cl.apply(`apiVersion: v1
kind: Pod
metadata: {name: uses-secret}
spec:
  nodeName: sim-0
  containers: [{name: c, image: busybox, envFrom: [{secretRef: {name: used}}]}]
`);
    const node0 = await certUser('sim-0-kubelet', 'system:node:sim-0', ['system:nodes']);
    const node1 = await certUser('sim-1-kubelet', 'system:node:sim-1', ['system:nodes']);
    await until('sim-0 may read the secret its pod uses', async () => ((await kubectl(node0, ['get', 'secret', 'used', '-o', 'name'])).code === 0 ? true : undefined));
    assert.equal((await kubectl(node0, ['get', 'secret', 'unused'])).stderr.trim(),
      'Error from server (Forbidden): secrets "unused" is forbidden: User "system:node:sim-0" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'sim-0\' and this object');
    assert.match((await kubectl(node1, ['get', 'secret', 'used'])).stderr, /Forbidden.*no relationship found between node 'sim-1' and this object/);
    assert.match((await kubectl(node0, ['get', 'secrets'])).stderr, /Forbidden/, 'no node lists secrets');
    // NodeRestriction: a node writes only its own Node and the pods bound to it.
    assert.match((await kubectl(node0, ['label', 'node', 'sim-1', 'stolen=yes'])).stderr, /Forbidden.*node 'sim-0' is not allowed to modify node 'sim-1'/);
    assert.match((await kubectl(node1, ['delete', 'pod', 'uses-secret'])).stderr, /Forbidden.*node 'sim-1' can only delete pods with spec.nodeName set to itself/);
    // ... and creates only mirror pods of itself that reference no API object (else it could name any
    // secret in a pod of its own and read it through the graph).
    const mirror = (extra: Record<string, unknown>): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sneaky', annotations: { 'kubernetes.io/config.mirror': 'x' } }, spec: { nodeName: 'sim-0', containers: [{ name: 'c', image: 'busybox', ...extra }] } });
    assert.match((await kubectl(node0, ['create', '-f', '-'], { stdin: mirror({ envFrom: [{ secretRef: { name: 'unused' } }] }) })).stderr, /Forbidden.*node "sim-0" can not create pods that reference secrets/);
    assert.match((await kubectl(node0, ['run', 'plain', '--image=busybox', '--overrides={"spec":{"nodeName":"sim-0"}}'])).stderr, /Forbidden.*node "sim-0" can only create mirror pods/);
    assert.match((await kubectl(node0, ['create', '-f', '-'], { stdin: mirror({}) })).stdout, /pod\/sneaky created/);
    assert.equal((await kubectl(node0, ['get', 'secret', 'unused'])).code, 1, 'still no way to the unused secret');
    await kubectlOk(cl.env, ['delete', 'pod', 'uses-secret', '--grace-period=0', '--force']);
    await until('the secret is out of reach once the pod is gone', async () => ((await kubectl(node0, ['get', 'secret', 'used'])).code === 1 ? true : undefined));

    // Namespace deletion empties and removes the namespace.
    await kubectlOk(cl.env, ['create', 'namespace', 'doomed']);
    await kubectlOk(cl.env, ['create', 'configmap', 'c', '-n', 'doomed', '--from-literal=a=b']);
    await kubectlOk(cl.env, ['delete', 'namespace', 'doomed', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal((await kubectl(cl.env, ['get', 'namespace', 'doomed'])).code, 1);

    // A user gets a client certificate the upstream way: a CSR, `kubectl certificate approve`
    // (a protobuf PUT to /approval), and the controller-manager's signer with the cluster CA.
    const keys = await generateKeyPair();
    const request = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=alice, O=devs', keys, signingAlgorithm });
    const csr = (name: string, usages: string[]): string => JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
      spec: { request: Buffer.from(request.toString('pem')).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages, expirationSeconds: 3600, username: 'forged' },
    });
    await kubectlOk(cl.env, ['create', '-f', '-'], { stdin: csr('alice', ['client auth']) });
    assert.equal((await kubectlOk(cl.env, ['get', 'csr', 'alice', '-o', 'jsonpath={.spec.username}'])).trim(), 'kubernetes-admin', 'the requester is who asked, not what the body says');
    assert.match(await kubectlOk(cl.env, ['certificate', 'approve', 'alice']), /certificatesigningrequest.certificates.k8s.io\/alice approved/);
    const issued = await until('alice\'s certificate', async () => {
      const pem = await kubectlOk(cl.env, ['get', 'csr', 'alice', '-o', 'jsonpath={.status.certificate}']);
      return pem.trim() === '' ? undefined : Buffer.from(pem.trim(), 'base64').toString('utf8');
    });
    const cert = new x509.X509Certificate(issued);
    assert.ok(cert.notAfter.getTime() - Date.now() <= 3600_000, 'spec.expirationSeconds caps the lifetime');
    const aliceKubeconfig = join(cl.tmp, 'alice.kubeconfig');
    await writeKubeconfig(aliceKubeconfig, adminKubeconfig(admin.clusters[0]?.cluster.server ?? '', readFileSync(join(cl.dataDir, 'pki', 'ca.crt'), 'utf8'), issued, await privateKeyToPem(keys.privateKey)));
    const alice = clientEnv(aliceKubeconfig);
    users.push(alice);
    const whoami = JSON.parse(await kubectlOk(alice, ['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.deepEqual(whoami.status.userInfo, { username: 'alice', groups: ['devs', 'system:authenticated'] });
    assert.match(await kubectlOk(cl.env, ['get', 'csr', 'alice']), /^alice\s.*kubernetes\.io\/kube-apiserver-client\s+kubernetes-admin\s+60m\s+Approved,Issued$/m);
    // The signer's rules: a client signer does not sign for server auth.
    await kubectlOk(cl.env, ['create', '-f', '-'], { stdin: csr('alice-serving', ['server auth']) });
    await kubectlOk(cl.env, ['certificate', 'approve', 'alice-serving']);
    assert.equal(await until('the Failed condition', async () => {
      const m = (await kubectlOk(cl.env, ['get', 'csr', 'alice-serving', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].message}'])).trim();
      return m === '' ? undefined : m;
    }), 'invalid usage for client certificate: server auth');
    // `kubectl autoscale` sends its HorizontalPodAutoscaler as protobuf.
    await kubectlOk(cl.env, ['create', 'deployment', 'scaled', '--image=nginx']);
    assert.match(await kubectlOk(cl.env, ['autoscale', 'deployment', 'scaled', '--min', '2', '--max', '4', '--cpu=70%']), /horizontalpodautoscaler.autoscaling\/scaled autoscaled/);
    assert.equal((await kubectlOk(cl.env, ['get', 'hpa', 'scaled', '-o', 'jsonpath={.spec.metrics[0].resource.target.averageUtilization}/{.spec.maxReplicas}'])).trim(), '70/4');
    // ... and the HPA controller, as its own ServiceAccount, scales the Deployment up to minReplicas.
    await until('the HPA to scale the Deployment to 2', async () => ((await kubectlOk(cl.env, ['get', 'deployment', 'scaled', '-o', 'jsonpath={.spec.replicas}'])).trim() === '2' ? true : undefined));

    assert.doesNotMatch(cl.up.output(), /is forbidden: User "system:(serviceaccount:kube-system|kube-|k8ts-)/);
  } finally {
    for (const u of users) {
      u.cleanup();
    }
    await cl.stop();
  }
});
