/** The parts of core/v1 Pod the kubelet reads (loosely typed: the API server validated them). */
import type { KubeObject } from '../../api/object.ts';

/** An env var source. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly resourceFieldRef?: { readonly containerName?: string; readonly resource: string; readonly divisor?: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
  };
}

/** A probe or lifecycle handler. */
export interface Handler {
  readonly exec?: { readonly command?: readonly string[] };
  readonly httpGet?: { readonly path?: string; readonly port: number | string; readonly host?: string; readonly scheme?: string; readonly httpHeaders?: readonly { readonly name: string; readonly value: string }[] };
  readonly tcpSocket?: { readonly port: number | string; readonly host?: string };
  /** Lifecycle hooks only. */
  readonly sleep?: { readonly seconds: number };
}

/** A probe. */
export interface Probe extends Handler {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
}

/** A container of the pod spec. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly workingDir?: string;
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly { readonly prefix?: string; readonly configMapRef?: { readonly name: string; readonly optional?: boolean }; readonly secretRef?: { readonly name: string; readonly optional?: boolean } }[];
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly subPath?: string; readonly readOnly?: boolean }[];
  readonly ports?: readonly { readonly containerPort: number; readonly hostPort?: number; readonly protocol?: 'TCP' | 'UDP' | 'SCTP'; readonly hostIP?: string; readonly name?: string }[];
  readonly resources?: { readonly limits?: Readonly<Record<string, string>>; readonly requests?: Readonly<Record<string, string>> };
  readonly securityContext?: {
    readonly privileged?: boolean; readonly runAsUser?: number; readonly runAsGroup?: number; readonly readOnlyRootFilesystem?: boolean;
    readonly allowPrivilegeEscalation?: boolean; readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  };
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: { readonly postStart?: Handler; readonly preStop?: Handler };
  readonly stdin?: boolean;
  readonly tty?: boolean;
  /** `Always` on an init container makes it a sidecar. */
  readonly restartPolicy?: string;
}

/** A volume of the pod spec. */
export interface VolumeSpec {
  readonly name: string;
  readonly emptyDir?: { readonly medium?: string; readonly sizeLimit?: string };
  readonly hostPath?: { readonly path: string; readonly type?: string };
  readonly configMap?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string; readonly mode?: number }[]; readonly optional?: boolean; readonly defaultMode?: number };
  readonly secret?: { readonly secretName: string; readonly items?: readonly { readonly key: string; readonly path: string; readonly mode?: number }[]; readonly optional?: boolean; readonly defaultMode?: number };
  readonly downwardAPI?: { readonly items?: readonly { readonly path: string; readonly fieldRef?: { readonly fieldPath: string }; readonly resourceFieldRef?: { readonly containerName?: string; readonly resource: string } }[]; readonly defaultMode?: number };
  readonly projected?: { readonly sources?: readonly Record<string, unknown>[]; readonly defaultMode?: number };
}

/** The pod spec. */
export interface PodSpec {
  readonly nodeName?: string;
  readonly containers: readonly ContainerSpec[];
  readonly initContainers?: readonly ContainerSpec[];
  /** Added to a running pod through `pods/ephemeralcontainers` (`kubectl debug`); started once, never restarted. */
  readonly ephemeralContainers?: readonly (ContainerSpec & { readonly targetContainerName?: string })[];
  readonly volumes?: readonly VolumeSpec[];
  readonly restartPolicy?: string;
  readonly terminationGracePeriodSeconds?: number;
  readonly hostNetwork?: boolean;
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly dnsPolicy?: string;
  readonly dnsConfig?: { readonly nameservers?: readonly string[]; readonly searches?: readonly string[]; readonly options?: readonly { readonly name: string; readonly value?: string }[] };
  readonly hostAliases?: readonly { readonly ip: string; readonly hostnames: readonly string[] }[];
  readonly shareProcessNamespace?: boolean;
  readonly serviceAccountName?: string;
  readonly securityContext?: { readonly runAsUser?: number; readonly runAsGroup?: number; readonly supplementalGroups?: readonly number[] };
}

/** A Pod as the kubelet reads it. */
export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: Record<string, unknown>;
}
