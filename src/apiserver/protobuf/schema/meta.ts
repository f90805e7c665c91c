/**
 * The hand-written messages: the runtime.Unknown envelope and the apimachinery types whose wire
 * and JSON forms are their own (field numbers: k8s.io/apimachinery generated.proto). Everything
 * else is generated.ts. Field options used throughout: `(keep)` marks scalars Go's JSON writes
 * even when zero (pointers, fields without omitempty; on IntOrString: a set pointer);
 * `(inline)` marks Go embedded structs, whose fields JSON lifts into the parent; the message
 * option `(items)` marks a Go named slice (`ExtraValue`), a plain list in JSON.
 */
export const metaProto = `
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }

message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message MicroTime { optional int64 seconds = 1; optional int32 nanos = 2; }
message FieldsV1 { optional bytes Raw = 1; }
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
message Quantity { optional string string = 1; }
`;
