/**
 * Our own proto2 definitions of the Kubernetes messages clients send as protobuf bodies. Only
 * field numbers must match upstream's generated.proto; field names are the JSON names.
 */
import protobuf from 'protobufjs';
import { generatedProto } from './generated.ts';
import { metaProto } from './meta.ts';

const root = protobuf.parse(`syntax = "proto2";\npackage k8s;\n${metaProto}${generatedProto}`, { keepCase: true }).root;

/** A message type by name (`Unknown`, `Secret`, `Deployment`, ...). */
export function messageType(name: string): protobuf.Type {
  return root.lookupType(`k8s.${name}`);
}
