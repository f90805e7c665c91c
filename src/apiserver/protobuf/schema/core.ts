/** core/v1 messages clients send as protobuf (field numbers: k8s.io/api core/v1 generated.proto). */
export const coreProto = `
message LocalObjectReference { optional string name = 1; }
message TypedLocalObjectReference { optional string apiGroup = 1 [(keep) = true]; optional string kind = 2; optional string name = 3; }
message ObjectReference {
  optional string kind = 1; optional string namespace = 2; optional string name = 3; optional string uid = 4;
  optional string apiVersion = 5; optional string resourceVersion = 6; optional string fieldPath = 7;
}

message Secret {
  optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3;
  map<string, string> stringData = 4; optional bool immutable = 5 [(keep) = true];
}
message ConfigMap {
  optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4 [(keep) = true];
}

message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceCondition { optional string type = 1; optional string status = 2; optional Time lastTransitionTime = 4; optional string reason = 5; optional string message = 6; }
message NamespaceStatus { optional string phase = 1; repeated NamespaceCondition conditions = 2; }
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }

message ServiceAccount {
  optional ObjectMeta metadata = 1; repeated ObjectReference secrets = 2; repeated LocalObjectReference imagePullSecrets = 3;
  optional bool automountServiceAccountToken = 4 [(keep) = true];
}

message ServicePort {
  optional string name = 1; optional string protocol = 2; optional string appProtocol = 6 [(keep) = true]; optional int32 port = 3;
  optional IntOrString targetPort = 4; optional int32 nodePort = 5;
}
message ClientIPConfig { optional int32 timeoutSeconds = 1 [(keep) = true]; }
message SessionAffinityConfig { optional ClientIPConfig clientIP = 1; }
message ServiceSpec {
  repeated ServicePort ports = 1; map<string, string> selector = 2; optional string clusterIP = 3; repeated string clusterIPs = 18;
  optional string type = 4; repeated string externalIPs = 5; optional string sessionAffinity = 7; optional string loadBalancerIP = 8;
  repeated string loadBalancerSourceRanges = 9; optional string externalName = 10; optional string externalTrafficPolicy = 11;
  optional int32 healthCheckNodePort = 12; optional bool publishNotReadyAddresses = 13; optional SessionAffinityConfig sessionAffinityConfig = 14;
  repeated string ipFamilies = 19; optional string ipFamilyPolicy = 17 [(keep) = true]; optional bool allocateLoadBalancerNodePorts = 20 [(keep) = true];
  optional string loadBalancerClass = 21 [(keep) = true]; optional string internalTrafficPolicy = 22 [(keep) = true]; optional string trafficDistribution = 23 [(keep) = true];
}
message PortStatus { optional int32 port = 1; optional string protocol = 2; optional string error = 3 [(keep) = true]; }
message LoadBalancerIngress { optional string ip = 1; optional string hostname = 2; optional string ipMode = 3 [(keep) = true]; repeated PortStatus ports = 4; }
message LoadBalancerStatus { repeated LoadBalancerIngress ingress = 1; }
message ServiceStatus { optional LoadBalancerStatus loadBalancer = 1; repeated Condition conditions = 2; }
message Service { optional ObjectMeta metadata = 1; optional ServiceSpec spec = 2; optional ServiceStatus status = 3; }

message ResourceQuotaSpec { map<string, Quantity> hard = 1; repeated string scopes = 2; }
message ResourceQuotaStatus { map<string, Quantity> hard = 1; map<string, Quantity> used = 2; }
message ResourceQuota { optional ObjectMeta metadata = 1; optional ResourceQuotaSpec spec = 2; optional ResourceQuotaStatus status = 3; }

message ContainerPort { optional string name = 1; optional int32 hostPort = 2; optional int32 containerPort = 3; optional string protocol = 4; optional string hostIP = 5; }
message ObjectFieldSelector { optional string apiVersion = 1; optional string fieldPath = 2; }
message ResourceFieldSelector { optional string containerName = 1; optional string resource = 2; optional Quantity divisor = 3; }
message ConfigMapKeySelector { optional LocalObjectReference ref = 1 [(inline) = true]; optional string key = 2; optional bool optional = 3 [(keep) = true]; }
message SecretKeySelector { optional LocalObjectReference ref = 1 [(inline) = true]; optional string key = 2; optional bool optional = 3 [(keep) = true]; }
message EnvVarSource {
  optional ObjectFieldSelector fieldRef = 1; optional ResourceFieldSelector resourceFieldRef = 2;
  optional ConfigMapKeySelector configMapKeyRef = 3; optional SecretKeySelector secretKeyRef = 4;
}
message EnvVar { optional string name = 1; optional string value = 2; optional EnvVarSource valueFrom = 3; }
message ConfigMapEnvSource { optional LocalObjectReference ref = 1 [(inline) = true]; optional bool optional = 2 [(keep) = true]; }
message SecretEnvSource { optional LocalObjectReference ref = 1 [(inline) = true]; optional bool optional = 2 [(keep) = true]; }
message EnvFromSource { optional string prefix = 1; optional ConfigMapEnvSource configMapRef = 2; optional SecretEnvSource secretRef = 3; }
message ResourceClaim { optional string name = 1; optional string request = 2; }
message ResourceRequirements { map<string, Quantity> limits = 1; map<string, Quantity> requests = 2; repeated ResourceClaim claims = 3; }
message VolumeMount {
  optional string name = 1; optional bool readOnly = 2; optional string recursiveReadOnly = 7 [(keep) = true]; optional string mountPath = 3;
  optional string subPath = 4; optional string mountPropagation = 5 [(keep) = true]; optional string subPathExpr = 6;
}
message Container {
  optional string name = 1; optional string image = 2; repeated string command = 3; repeated string args = 4; optional string workingDir = 5;
  repeated ContainerPort ports = 6; repeated EnvFromSource envFrom = 19; repeated EnvVar env = 7; optional ResourceRequirements resources = 8;
  optional string restartPolicy = 24 [(keep) = true]; repeated VolumeMount volumeMounts = 9;
  optional string terminationMessagePath = 13; optional string terminationMessagePolicy = 20; optional string imagePullPolicy = 14;
  optional bool stdin = 16; optional bool stdinOnce = 17; optional bool tty = 18;
}
message Toleration { optional string key = 1; optional string operator = 2; optional string value = 3; optional string effect = 4; optional int64 tolerationSeconds = 5 [(keep) = true]; }
message PodSpec {
  repeated Container initContainers = 20; repeated Container containers = 2; optional string restartPolicy = 3;
  optional int64 terminationGracePeriodSeconds = 4 [(keep) = true]; optional int64 activeDeadlineSeconds = 5 [(keep) = true];
  optional string dnsPolicy = 6; map<string, string> nodeSelector = 7; optional string serviceAccountName = 8; optional string serviceAccount = 9;
  optional bool automountServiceAccountToken = 21 [(keep) = true]; optional string nodeName = 10; optional bool hostNetwork = 11;
  optional bool hostPID = 12; optional bool hostIPC = 13; optional bool shareProcessNamespace = 27 [(keep) = true];
  repeated LocalObjectReference imagePullSecrets = 15; optional string hostname = 16; optional string subdomain = 17;
  optional string schedulerName = 19; repeated Toleration tolerations = 22; optional string priorityClassName = 24;
  optional int32 priority = 25 [(keep) = true]; optional string runtimeClassName = 29 [(keep) = true]; optional bool enableServiceLinks = 30 [(keep) = true];
  optional string preemptionPolicy = 31 [(keep) = true]; optional bool setHostnameAsFQDN = 35 [(keep) = true]; optional bool hostUsers = 37 [(keep) = true];
  optional string hostnameOverride = 41 [(keep) = true];
}
message PodTemplateSpec { optional ObjectMeta metadata = 1; optional PodSpec spec = 2; }
`;
