/**
 * `application/vnd.kubernetes.protobuf` request bodies: the `k8s\0` magic, a runtime.Unknown
 * envelope naming apiVersion/kind, and the object's bytes in `raw`. Decodes the kinds real
 * clients send this way (helm's release Secrets and DeleteOptions, kubectl auth's reviews,
 * `kubectl create <kind>` and `create job --from`, `kubectl autoscale`, `kubectl certificate approve`,
 * typed client-go programs writing workloads and evictions) into the
 * JSON-shaped object a JSON body would give. Other kinds, and
 * bodies carrying fields our schema lacks, are a 415 rather than silently losing data.
 */
import { badRequest, StatusError, StatusReason } from '../../api/errors.ts';
import { messageToJson } from './convert.ts';
import { messageType } from './schema/index.ts';

/** The 4-byte prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Obj = Record<string, unknown>;

/**
 * `apiVersion` → kinds decodable in it (the message of the same name). The schema has every
 * message these reach; scripts/gen-protobuf-schema.ts lists the same kinds as its roots.
 */
const kindsByApiVersion: Readonly<Record<string, readonly string[]>> = {
  v1: ['Secret', 'ConfigMap', 'Namespace', 'ServiceAccount', 'Service', 'ResourceQuota', 'Pod', 'PodTemplate', 'ReplicationController', 'DeleteOptions'],
  'meta.k8s.io/v1': ['DeleteOptions'],
  'apps/v1': ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'],
  'batch/v1': ['Job', 'CronJob'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'policy/v1': ['PodDisruptionBudget', 'Eviction'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'networking.k8s.io/v1': ['Ingress'],
  'rbac.authorization.k8s.io/v1': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  'authorization.k8s.io/v1': ['SelfSubjectAccessReview', 'SelfSubjectRulesReview'],
  'authentication.k8s.io/v1': ['SelfSubjectReview', 'TokenRequest'],
  'authentication.k8s.io/v1beta1': ['SelfSubjectReview'],
  'authentication.k8s.io/v1alpha1': ['SelfSubjectReview'],
};

/** The kinds this decoder understands, as `apiVersion/kind`. */
export const SUPPORTED_PROTOBUF_KINDS: readonly string[] = Object.entries(kindsByApiVersion).flatMap(([v, kinds]) => kinds.map((k) => `${v}/${k}`));

const toObjectOptions = { longs: Number, bytes: String, defaults: false, arrays: false, objects: false } as const;

function unsupported(what: string): StatusError {
  return new StatusError(415, StatusReason.UnsupportedMediaType,
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml; ${what}`);
}

/** Decodes `bytes` as `name`; throws if the bytes held fields the schema does not know. */
function decodeMessage(name: string, bytes: Uint8Array): { type: ReturnType<typeof messageType>; value: Obj } {
  const type = messageType(name);
  const message = type.decode(bytes);
  // protobufjs skips unknown fields silently; re-encoding what it kept shows whether any were skipped.
  if (type.encode(message).finish().length !== bytes.length) {
    throw unsupported(`the protobuf ${name} carries fields k8s.io/k8ts does not decode; send it as application/json`);
  }
  return { type, value: type.toObject(message, toObjectOptions) as Obj };
}

/** Decodes a protobuf request body into a JSON-shaped object with apiVersion and kind set. */
export function decodeProtobufBody(body: Buffer): unknown {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  let envelope: Obj;
  try {
    envelope = decodeMessage('Unknown', body.subarray(PROTOBUF_MAGIC.length)).value;
  } catch (e) {
    throw e instanceof StatusError ? e : badRequest(`unable to decode protobuf envelope: ${(e as Error).message}`);
  }
  const typeMeta = isObj(envelope.typeMeta) ? envelope.typeMeta : {};
  const apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  if (typeof envelope.contentEncoding === 'string' && envelope.contentEncoding !== '') {
    throw badRequest(`unsupported protobuf content encoding "${envelope.contentEncoding}"`);
  }
  if (!(kindsByApiVersion[apiVersion] ?? []).includes(kind)) {
    throw unsupported(`application/vnd.kubernetes.protobuf is accepted only for ${SUPPORTED_PROTOBUF_KINDS.join(', ')} (got ${apiVersion === '' ? '' : `${apiVersion}, `}Kind=${kind})`);
  }
  const raw = typeof envelope.raw === 'string' ? Buffer.from(envelope.raw, 'base64') : Buffer.alloc(0);
  let decoded: { type: ReturnType<typeof messageType>; value: Obj };
  try {
    decoded = decodeMessage(kind, raw);
  } catch (e) {
    throw e instanceof StatusError ? e : badRequest(`unable to decode ${kind} from protobuf: ${(e as Error).message}`);
  }
  return { kind, apiVersion, ...messageToJson(decoded.type, decoded.value) };
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
