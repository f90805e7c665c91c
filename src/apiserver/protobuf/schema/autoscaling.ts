/**
 * autoscaling/v2 HorizontalPodAutoscaler, which `kubectl autoscale` sends
 * (field numbers: k8s.io/api autoscaling/v2 generated.proto).
 */
export const autoscalingProto = `
message CrossVersionObjectReference { optional string kind = 1; optional string name = 2; optional string apiVersion = 3; }
message MetricIdentifier { optional string name = 1; optional LabelSelector selector = 2; }
message MetricTarget {
  optional string type = 1; optional Quantity value = 2; optional Quantity averageValue = 3; optional int32 averageUtilization = 4 [(keep) = true];
}
message MetricValueStatus { optional Quantity value = 1; optional Quantity averageValue = 2; optional int32 averageUtilization = 3 [(keep) = true]; }
message ObjectMetricSource { optional CrossVersionObjectReference describedObject = 1; optional MetricTarget target = 2; optional MetricIdentifier metric = 3; }
message PodsMetricSource { optional MetricIdentifier metric = 1; optional MetricTarget target = 2; }
message ResourceMetricSource { optional string name = 1; optional MetricTarget target = 2; }
message ContainerResourceMetricSource { optional string name = 1; optional MetricTarget target = 2; optional string container = 3; }
message ExternalMetricSource { optional MetricIdentifier metric = 1; optional MetricTarget target = 2; }
message MetricSpec {
  optional string type = 1; optional ObjectMetricSource object = 2; optional PodsMetricSource pods = 3; optional ResourceMetricSource resource = 4;
  optional ContainerResourceMetricSource containerResource = 7; optional ExternalMetricSource external = 5;
}
message ObjectMetricStatus { optional MetricIdentifier metric = 1; optional MetricValueStatus current = 2; optional CrossVersionObjectReference describedObject = 3; }
message PodsMetricStatus { optional MetricIdentifier metric = 1; optional MetricValueStatus current = 2; }
message ResourceMetricStatus { optional string name = 1; optional MetricValueStatus current = 2; }
message ContainerResourceMetricStatus { optional string name = 1; optional MetricValueStatus current = 2; optional string container = 3; }
message ExternalMetricStatus { optional MetricIdentifier metric = 1; optional MetricValueStatus current = 2; }
message MetricStatus {
  optional string type = 1; optional ObjectMetricStatus object = 2; optional PodsMetricStatus pods = 3; optional ResourceMetricStatus resource = 4;
  optional ContainerResourceMetricStatus containerResource = 7; optional ExternalMetricStatus external = 5;
}
message HPAScalingPolicy { optional string type = 1; optional int32 value = 2; optional int32 periodSeconds = 3; }
message HPAScalingRules {
  optional int32 stabilizationWindowSeconds = 3 [(keep) = true]; optional string selectPolicy = 1 [(keep) = true]; repeated HPAScalingPolicy policies = 2;
  optional Quantity tolerance = 4;
}
message HorizontalPodAutoscalerBehavior { optional HPAScalingRules scaleUp = 1; optional HPAScalingRules scaleDown = 2; }
message HorizontalPodAutoscalerSpec {
  optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2 [(keep) = true]; optional int32 maxReplicas = 3;
  repeated MetricSpec metrics = 4; optional HorizontalPodAutoscalerBehavior behavior = 5;
}
message HorizontalPodAutoscalerCondition {
  optional string type = 1; optional string status = 2; optional Time lastTransitionTime = 3; optional string reason = 4; optional string message = 5;
  optional int64 observedGeneration = 6;
}
message HorizontalPodAutoscalerStatus {
  optional int64 observedGeneration = 1 [(keep) = true]; optional Time lastScaleTime = 2; optional int32 currentReplicas = 3; optional int32 desiredReplicas = 4;
  repeated MetricStatus currentMetrics = 5; repeated HorizontalPodAutoscalerCondition conditions = 6;
}
message HorizontalPodAutoscaler { optional ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpec spec = 2; optional HorizontalPodAutoscalerStatus status = 3; }
`;
