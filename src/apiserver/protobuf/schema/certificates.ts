/**
 * certificates.k8s.io/v1 CertificateSigningRequest, which `kubectl certificate approve|deny` sends
 * (field numbers: k8s.io/api certificates/v1 generated.proto).
 */
export const certificatesProto = `
message CertificateSigningRequestSpec {
  optional bytes request = 1; optional string signerName = 7; optional int32 expirationSeconds = 8 [(keep) = true]; repeated string usages = 5;
  optional string username = 2; optional string uid = 3; repeated string groups = 4; map<string, ExtraValue> extra = 6;
}
message CertificateSigningRequestCondition {
  optional string type = 1; optional string status = 6; optional string reason = 2; optional string message = 3;
  optional Time lastUpdateTime = 4; optional Time lastTransitionTime = 5;
}
message CertificateSigningRequestStatus { repeated CertificateSigningRequestCondition conditions = 1; optional bytes certificate = 2; }
message CertificateSigningRequest {
  optional ObjectMeta metadata = 1; optional CertificateSigningRequestSpec spec = 2; optional CertificateSigningRequestStatus status = 3;
}
`;
