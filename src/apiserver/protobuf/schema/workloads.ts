/**
 * apps, batch, policy, scheduling, networking and rbac messages `kubectl create <kind>` sends
 * (field numbers: k8s.io/api <group>/v1 generated.proto).
 */
export const workloadsProto = `
message RollingUpdateDeployment { optional IntOrString maxUnavailable = 1; optional IntOrString maxSurge = 2; }
message DeploymentStrategy { optional string type = 1; optional RollingUpdateDeployment rollingUpdate = 2; }
message DeploymentSpec {
  optional int32 replicas = 1 [(keep) = true]; optional LabelSelector selector = 2; optional PodTemplateSpec template = 3;
  optional DeploymentStrategy strategy = 4; optional int32 minReadySeconds = 5; optional int32 revisionHistoryLimit = 6 [(keep) = true];
  optional bool paused = 7; optional int32 progressDeadlineSeconds = 9 [(keep) = true];
}
message DeploymentCondition {
  optional string type = 1; optional string status = 2; optional Time lastUpdateTime = 6; optional Time lastTransitionTime = 7;
  optional string reason = 4; optional string message = 5;
}
message DeploymentStatus {
  optional int64 observedGeneration = 1; optional int32 replicas = 2; optional int32 updatedReplicas = 3; optional int32 readyReplicas = 7;
  optional int32 availableReplicas = 4; optional int32 unavailableReplicas = 5; optional int32 terminatingReplicas = 9 [(keep) = true];
  repeated DeploymentCondition conditions = 6; optional int32 collisionCount = 8 [(keep) = true];
}
message Deployment { optional ObjectMeta metadata = 1; optional DeploymentSpec spec = 2; optional DeploymentStatus status = 3; }

message JobSpec {
  optional int32 parallelism = 1 [(keep) = true]; optional int32 completions = 2 [(keep) = true]; optional int64 activeDeadlineSeconds = 3 [(keep) = true];
  optional int32 backoffLimit = 7 [(keep) = true]; optional int32 backoffLimitPerIndex = 12 [(keep) = true]; optional int32 maxFailedIndexes = 13 [(keep) = true];
  optional LabelSelector selector = 4; optional bool manualSelector = 5 [(keep) = true]; optional PodTemplateSpec template = 6;
  optional int32 ttlSecondsAfterFinished = 8 [(keep) = true]; optional string completionMode = 9 [(keep) = true]; optional bool suspend = 10 [(keep) = true];
  optional string podReplacementPolicy = 14 [(keep) = true]; optional string managedBy = 15 [(keep) = true];
}
message JobCondition {
  optional string type = 1; optional string status = 2; optional Time lastProbeTime = 3; optional Time lastTransitionTime = 4;
  optional string reason = 5; optional string message = 6;
}
message UncountedTerminatedPods { repeated string succeeded = 1; repeated string failed = 2; }
message JobStatus {
  repeated JobCondition conditions = 1; optional Time startTime = 2; optional Time completionTime = 3; optional int32 active = 4;
  optional int32 succeeded = 5; optional int32 failed = 6; optional int32 terminating = 11 [(keep) = true]; optional string completedIndexes = 7;
  optional string failedIndexes = 10 [(keep) = true]; optional UncountedTerminatedPods uncountedTerminatedPods = 8; optional int32 ready = 9 [(keep) = true];
}
message Job { optional ObjectMeta metadata = 1; optional JobSpec spec = 2; optional JobStatus status = 3; }
message JobTemplateSpec { optional ObjectMeta metadata = 1; optional JobSpec spec = 2; }
message CronJobSpec {
  optional string schedule = 1; optional string timeZone = 8 [(keep) = true]; optional int64 startingDeadlineSeconds = 2 [(keep) = true];
  optional string concurrencyPolicy = 3; optional bool suspend = 4 [(keep) = true]; optional JobTemplateSpec jobTemplate = 5;
  optional int32 successfulJobsHistoryLimit = 6 [(keep) = true]; optional int32 failedJobsHistoryLimit = 7 [(keep) = true];
}
message CronJobStatus { repeated ObjectReference active = 1; optional Time lastScheduleTime = 4; optional Time lastSuccessfulTime = 5; }
message CronJob { optional ObjectMeta metadata = 1; optional CronJobSpec spec = 2; optional CronJobStatus status = 3; }

message PodDisruptionBudgetSpec {
  optional IntOrString minAvailable = 1; optional LabelSelector selector = 2; optional IntOrString maxUnavailable = 3;
  optional string unhealthyPodEvictionPolicy = 4 [(keep) = true];
}
message PodDisruptionBudgetStatus {
  optional int64 observedGeneration = 1; map<string, Time> disruptedPods = 2; optional int32 disruptionsAllowed = 3;
  optional int32 currentHealthy = 4; optional int32 desiredHealthy = 5; optional int32 expectedPods = 6; repeated Condition conditions = 7;
}
message PodDisruptionBudget { optional ObjectMeta metadata = 1; optional PodDisruptionBudgetSpec spec = 2; optional PodDisruptionBudgetStatus status = 3; }

message PriorityClass {
  optional ObjectMeta metadata = 1; optional int32 value = 2 [(keep) = true]; optional bool globalDefault = 3;
  optional string description = 4; optional string preemptionPolicy = 5 [(keep) = true];
}

message ServiceBackendPort { optional string name = 1; optional int32 number = 2; }
message IngressServiceBackend { optional string name = 1; optional ServiceBackendPort port = 2; }
message IngressBackend { optional IngressServiceBackend service = 4; optional TypedLocalObjectReference resource = 3; }
message HTTPIngressPath { optional string path = 1; optional string pathType = 3 [(keep) = true]; optional IngressBackend backend = 2; }
message HTTPIngressRuleValue { repeated HTTPIngressPath paths = 1; }
message IngressRuleValue { optional HTTPIngressRuleValue http = 1; }
message IngressRule { optional string host = 1; optional IngressRuleValue value = 2 [(inline) = true]; }
message IngressTLS { repeated string hosts = 1; optional string secretName = 2; }
message IngressSpec { optional string ingressClassName = 4 [(keep) = true]; optional IngressBackend defaultBackend = 1; repeated IngressTLS tls = 2; repeated IngressRule rules = 3; }
message IngressPortStatus { optional int32 port = 1; optional string protocol = 2; optional string error = 3 [(keep) = true]; }
message IngressLoadBalancerIngress { optional string ip = 1; optional string hostname = 2; repeated IngressPortStatus ports = 4; }
message IngressLoadBalancerStatus { repeated IngressLoadBalancerIngress ingress = 1; }
message IngressStatus { optional IngressLoadBalancerStatus loadBalancer = 1; }
message Ingress { optional ObjectMeta metadata = 1; optional IngressSpec spec = 2; optional IngressStatus status = 3; }

message PolicyRule { repeated string verbs = 1; repeated string apiGroups = 2; repeated string resources = 3; repeated string resourceNames = 4; repeated string nonResourceURLs = 5; }
message AggregationRule { repeated LabelSelector clusterRoleSelectors = 1; }
message Role { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; }
message ClusterRole { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; optional AggregationRule aggregationRule = 3; }
message Subject { optional string kind = 1; optional string apiGroup = 2; optional string name = 3; optional string namespace = 4; }
message RoleRef { optional string apiGroup = 1; optional string kind = 2; optional string name = 3; }
message RoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
message ClusterRoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
`;
