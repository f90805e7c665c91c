/** Shapes shared by the image store, its importers and the registry client. */

/** The parts of an OCI image config the runtime needs to start a container. */
export interface ImageRuntimeConfig {
  readonly Entrypoint?: string[] | null;
  readonly Cmd?: string[] | null;
  readonly Env?: string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly ExposedPorts?: Record<string, unknown>;
  readonly Labels?: Record<string, string> | null;
  readonly StopSignal?: string;
}

/** An image as recorded by the store. */
export interface ImageRecord {
  /** The config blob's digest (`sha256:...`): the image id, as in CRI. */
  readonly id: string;
  /** Normalised `repo:tag` references pointing at this image. */
  repoTags: string[];
  /** `repo@sha256:...` references (manifest digests) this image was pulled or imported by. */
  repoDigests: string[];
  /** Layer blob digests in order, bottom first. */
  readonly layers: string[];
  /** Uncompressed layer digests (diffIDs) in order, bottom first. */
  readonly diffIds: string[];
  /** Total bytes of the image's blobs. */
  readonly size: number;
  readonly config: ImageRuntimeConfig;
  readonly architecture?: string;
  readonly os?: string;
  /** When the image arrived (RFC 3339). */
  readonly createdAt: string;
  /** Last time a container mounted it (RFC 3339); GC removes the least recently used first. */
  lastUsed: string;
}

/** An OCI image config document (only the fields we read). */
export interface OciImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly config?: ImageRuntimeConfig;
  readonly rootfs?: { readonly type?: string; readonly diff_ids?: string[] };
}

/** An OCI/Docker v2 descriptor. */
export interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: { readonly architecture?: string; readonly os?: string; readonly variant?: string };
  readonly annotations?: Record<string, string>;
}

/** An OCI image manifest or Docker schema 2 manifest. */
export interface ImageManifest {
  readonly schemaVersion?: number;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: Descriptor[];
}

/** An OCI image index or Docker manifest list. */
export interface ImageIndex {
  readonly schemaVersion?: number;
  readonly mediaType?: string;
  readonly manifests: Descriptor[];
}

/** Media types the store and the registry client accept. */
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** Picks the linux/amd64 entry of an index (the node's platform). */
export function pickPlatform(index: ImageIndex): Descriptor {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  const match = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch)
    ?? index.manifests.find((m) => m.platform === undefined);
  if (match === undefined) {
    throw new Error(`no manifest for linux/${arch} in the image index`);
  }
  return match;
}
