/**
 * `application/vnd.kubernetes.protobuf` request bodies: the `k8s\0` magic, a runtime.Unknown
 * envelope naming apiVersion/kind, and the object's bytes in `raw`. Decodes the kinds real
 * clients send this way (helm's release Secrets and DeleteOptions, kubectl auth's reviews)
 * into the same JSON-shaped objects a JSON body would give; any other kind is a 415.
 */
import { badRequest, StatusError, StatusReason } from '../../api/errors.ts';
import { configMap, deleteOptions, secret, selfSubjectAccessReview, selfSubjectReview } from './convert.ts';
import { messageType } from './schema.ts';

/** The 4-byte prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Obj = Record<string, unknown>;

interface KindDecoder {
  readonly message: string;
  readonly convert: (decoded: Obj) => Obj;
}

/** `apiVersion/kind` → how to decode it. */
const decoders: Readonly<Record<string, KindDecoder>> = {
  'v1/Secret': { message: 'Secret', convert: secret },
  'v1/ConfigMap': { message: 'ConfigMap', convert: configMap },
  'v1/DeleteOptions': { message: 'DeleteOptions', convert: deleteOptions },
  'meta.k8s.io/v1/DeleteOptions': { message: 'DeleteOptions', convert: deleteOptions },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { message: 'SelfSubjectAccessReview', convert: selfSubjectAccessReview },
  'authentication.k8s.io/v1/SelfSubjectReview': { message: 'SelfSubjectReview', convert: selfSubjectReview },
  'authentication.k8s.io/v1beta1/SelfSubjectReview': { message: 'SelfSubjectReview', convert: selfSubjectReview },
  'authentication.k8s.io/v1alpha1/SelfSubjectReview': { message: 'SelfSubjectReview', convert: selfSubjectReview },
};

/** The kinds this decoder understands, as `apiVersion/kind`. */
export const SUPPORTED_PROTOBUF_KINDS: readonly string[] = Object.keys(decoders);

const toObjectOptions = { longs: Number, bytes: String, defaults: false, arrays: false, objects: false } as const;

function decodeMessage(name: string, bytes: Uint8Array): Obj {
  const type = messageType(name);
  return type.toObject(type.decode(bytes), toObjectOptions) as Obj;
}

function unsupportedKind(apiVersion: string, kind: string): StatusError {
  return new StatusError(415, StatusReason.UnsupportedMediaType,
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml; ` +
    `application/vnd.kubernetes.protobuf is accepted only for ${SUPPORTED_PROTOBUF_KINDS.join(', ')} (got ${apiVersion === '' ? '' : `${apiVersion}, `}Kind=${kind})`);
}

/** Decodes a protobuf request body into a JSON-shaped object with apiVersion and kind set. */
export function decodeProtobufBody(body: Buffer): unknown {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  let envelope: Obj;
  try {
    envelope = decodeMessage('Unknown', body.subarray(PROTOBUF_MAGIC.length));
  } catch (e) {
    throw badRequest(`unable to decode protobuf envelope: ${(e as Error).message}`);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as Obj;
  const apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  if (typeof envelope.contentEncoding === 'string' && envelope.contentEncoding !== '') {
    throw badRequest(`unsupported protobuf content encoding "${envelope.contentEncoding}"`);
  }
  const decoder = decoders[`${apiVersion}/${kind}`];
  if (decoder === undefined) {
    throw unsupportedKind(apiVersion, kind);
  }
  const raw = typeof envelope.raw === 'string' ? Buffer.from(envelope.raw, 'base64') : Buffer.alloc(0);
  let decoded: Obj;
  try {
    decoded = decodeMessage(decoder.message, raw);
  } catch (e) {
    throw badRequest(`unable to decode ${kind} from protobuf: ${(e as Error).message}`);
  }
  return { kind, apiVersion, ...decoder.convert(decoded) };
}
