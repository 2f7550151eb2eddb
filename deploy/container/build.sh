#!/usr/bin/env bash
# Builds the ReleaseGateway image here, without any public image registry, and smoke-tests it:
#   1. debootstrap --variant=minbase SUITE (Debian 13 "trixie" by default: its libstdc++ is new enough for TorchSharp,
#      so the ADR 0016 fix is not needed) from the Debian mirror, plus the shared libraries .NET needs;
#   2. this machine's .NET runtime (dotnet host + Microsoft.NETCore.App + Microsoft.AspNetCore.App) copied into it;
#   3. that tree imported as the local base image (buildah from scratch + commit);
#   4. dotnet publish of the gateway and rgw (one folder, no libtorch), then `buildah bud --isolation chroot` of
#      deploy/container/Containerfile with BASE_IMAGE set to the local base: the API image;
#   5. dotnet publish of the neural generator's plug-in (TorchSharp, libtorch; ADR 0043) and Containerfile.worker on top of
#      the API image: the worker image, whose nodes also run `made` jobs;
#   6. `buildah run --isolation chroot` runs `rgw bootstrap`, then starts the gateway inside each built image and asks
#      /health/live and /health/ready (the worker must also report the made generator installed).
# Prints both image sizes and start-up times (process start to a 200 from /health/ready).
#
#   deploy/container/build.sh [--suite trixie|bookworm] [--tag releasegateway:dev] [--worker-tag releasegateway-worker:dev]
#                             [--work DIR] [--no-smoke] [--no-build]
# Needs root, buildah and debootstrap (apt-get install buildah debootstrap) and the .NET 10 SDK.
set -euo pipefail

suite=trixie
tag=localhost/releasegateway:dev
worker_tag=localhost/releasegateway-worker:dev
work=${RGW_IMAGE_WORK:-/var/tmp/rgw-image}
smoke=1
publish_flags=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --suite) suite=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --worker-tag) worker_tag=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-smoke) smoke=0; shift ;;
    --no-build) publish_flags+=(--no-build); shift ;;   # publish what `dotnet build -c Release` already built
    *) echo "usage: $0 [--suite trixie|bookworm] [--tag NAME] [--worker-tag NAME] [--work DIR] [--no-smoke] [--no-build]" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
base_tag=localhost/rgw-base-$suite:latest
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
for tool in buildah debootstrap dotnet; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install buildah debootstrap; .NET 10 SDK)" >&2; exit 2; }
done
[[ $(id -u) == 0 ]] || { echo "run as root: debootstrap and buildah's chroot isolation need it" >&2; exit 2; }
mkdir -p "$work"

# 1-3: the local base, built once per suite.
if ! buildah inspect --type image "$base_tag" >/dev/null 2>&1; then
  case "$suite" in
    trixie) icu=libicu76 ;;
    bookworm) icu=libicu72 ;;
    *) echo "unknown suite $suite" >&2; exit 2 ;;
  esac
  rootfs=$work/rootfs-$suite
  rm -rf "$rootfs"
  echo "== debootstrap --variant=minbase $suite ($mirror)"
  debootstrap --variant=minbase --include="ca-certificates,$icu,libssl3t64,zlib1g,tzdata" "$suite" "$rootfs" "$mirror" \
    || debootstrap --variant=minbase --include="ca-certificates,$icu,libssl3,zlib1g,tzdata" "$suite" "$rootfs" "$mirror"
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')
  echo "== .NET runtime $runtime from $dotnet_root"
  mkdir -p "$rootfs/usr/share/dotnet/shared" "$rootfs/usr/share/dotnet/host"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$rootfs/usr/share/dotnet/" 2>/dev/null || cp -a "$dotnet_root/dotnet" "$rootfs/usr/share/dotnet/"
  cp -a "$dotnet_root/host/fxr" "$rootfs/usr/share/dotnet/host/"
  for fx in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$rootfs/usr/share/dotnet/shared/$fx"
    cp -a "$dotnet_root/shared/$fx/$runtime" "$rootfs/usr/share/dotnet/shared/$fx/"
  done
  ln -sf /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  echo "== import as $base_tag"
  container=$(buildah from scratch)
  mountpoint=$(buildah mount "$container")
  cp -a "$rootfs"/. "$mountpoint"/
  buildah umount "$container" >/dev/null
  buildah config --env DOTNET_ROOT=/usr/share/dotnet --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$container"
  buildah commit --rm "$container" "$base_tag" >/dev/null
  rm -rf "$rootfs"
fi

# 4: publish and build the API image: gateway and rgw, no libtorch.
context=$work/context
rm -rf "$context"
mkdir -p "$context/publish"
echo "== dotnet publish"
dotnet publish "$repo/src/ReleaseGateway.Api" -c Release -o "$context/publish/gateway" --nologo -v quiet "${publish_flags[@]}"
# rgw into the same folder: both use the same package versions (central), so shared assemblies are there once.
dotnet publish "$repo/src/ReleaseGateway.Cli" -c Release -o "$context/publish/gateway" --nologo -v quiet "${publish_flags[@]}"
if compgen -G "$context/publish/gateway/*[Tt]orch*" >/dev/null; then
  echo "the API publish carries TorchSharp/libtorch; only the neural plug-in may (ADR 0043)" >&2; exit 1
fi
cp -a "$repo/policies" "$context/publish/policies"
cp -a "$repo/workflows" "$context/publish/workflows"
cp "$repo/deploy/container/Containerfile" "$repo/deploy/container/Containerfile.worker" "$repo/deploy/container/entrypoint.sh" "$context/"
echo "== buildah bud --isolation chroot ($tag on $base_tag)"
buildah bud --isolation chroot --format docker --layers=false --build-arg BASE_IMAGE="$base_tag" --build-arg PUBLISH=publish -t "$tag" -f "$context/Containerfile" "$context"

# 5: the worker image: the API image plus the neural plug-in in /app/plugins/NAME/ (found there by the gateway and rgw).
plugin=ReleaseGateway.Releases.Neural
echo "== dotnet publish $plugin"
dotnet publish "$repo/src/$plugin" -c Release -o "$context/publish/plugins/$plugin" --nologo -v quiet "${publish_flags[@]}"
# The host's copies are loaded first (one load context): the plug-in folder keeps only what the gateway lacks.
for file in "$context/publish/plugins/$plugin"/*; do
  twin="$context/publish/gateway/$(basename "$file")"
  if [[ -f $twin ]] && cmp -s "$file" "$twin"; then rm "$file"; fi
done
echo "== buildah bud --isolation chroot ($worker_tag on $tag)"
buildah bud --isolation chroot --format docker --layers=false --build-arg BASE_IMAGE="$tag" --build-arg PUBLISH=publish -t "$worker_tag" -f "$context/Containerfile.worker" "$context"
echo "image $tag: $(buildah images --format '{{.Size}}' "$tag" | head -1); image $worker_tag: $(buildah images --format '{{.Size}}' "$worker_tag" | head -1); base $base_tag: $(buildah images --format '{{.Size}}' "$base_tag")"
rm -rf "$context"

[[ $smoke == 1 ]] || exit 0

# 6: start the gateway inside each image and ask its health endpoints. Podman cannot run containers here (setrlimit is
# refused), buildah's chroot isolation can; it shares the host's network, so a free loopback port is chosen.
container=""
runner=""
cleanup() {
  if [[ -n $runner ]]; then kill "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; fi
  if [[ -n $container ]]; then buildah rm "$container" >/dev/null 2>&1 || true; fi
  runner=""; container=""
}
trap cleanup EXIT
smoke_test() {
  local image=$1 expect=$2
  local port log start end ready="" live
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  container=$(buildah from "$image")
  log=$work/smoke-$(basename "${image%%:*}").log
  echo "== rgw bootstrap inside $image"
  buildah run --isolation chroot --user 10001:10001 "$container" -- /usr/local/bin/rgw-entrypoint rgw bootstrap
  start=$(date +%s.%N)
  buildah run --isolation chroot --user 10001:10001 \
    --env ASPNETCORE_URLS="http://127.0.0.1:$port" --env ReleaseGateway__RequireHttps=false \
    "$container" -- dotnet /app/ReleaseGateway.Api.dll >"$log" 2>&1 &
  runner=$!
  for _ in $(seq 1 240); do
    if python3 - "$port" <<'PY' 2>/dev/null; then ready=1; break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health/ready", timeout=2).read()
PY
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.5
  done
  end=$(date +%s.%N)
  if [[ -z "$ready" ]]; then
    echo "the gateway inside $image did not become ready; its log:" >&2
    tail -50 "$log" >&2
    exit 1
  fi
  live=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/health/live').status)")
  if ! grep -q "Generators installed on this node: $expect " "$log"; then
    echo "the gateway inside $image does not report the generators $expect; its log:" >&2
    tail -50 "$log" >&2
    exit 1
  fi
  echo "gateway inside $image: /health/live $live, /health/ready 200, generators $expect; start-up $(python3 -c "print(round($end - $start, 1))") s (process start to ready)"
  cleanup
}
smoke_test "$tag" "aim, mst"
smoke_test "$worker_tag" "aim, mst, made"

# made itself: the worker trains it (libtorch loads from the plug-in), the API image refuses it naming the plug-in.
synth_made() {
  container=$(buildah from "$1")
  buildah run --isolation chroot --user 10001:10001 -v "$repo/deploy/demo-data:/in:ro" "$container" -- /usr/local/bin/rgw-entrypoint rgw synth \
    --input /in/pima.csv --schema /in/pima-schema.json --epsilon 1 --method made --rows 20 --output /tmp/made.csv
  local status=$?
  buildah rm "$container" >/dev/null; container=""
  return $status
}
synth_made "$worker_tag" >"$work/made.log" 2>&1 || { echo "rgw synth --method made failed inside $worker_tag:" >&2; tail -20 "$work/made.log" >&2; exit 1; }
echo "rgw synth --method made inside $worker_tag: $(tail -1 "$work/made.log" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["rows"], "rows,", r["steps"], "DP-SGD steps,", r["wallSeconds"], "s")')"
if synth_made "$tag" >"$work/made.log" 2>&1 || ! grep -q "generator 'made' is not installed on this node" "$work/made.log"; then
  echo "rgw synth --method made inside $tag did not refuse for lack of the plug-in:" >&2; tail -20 "$work/made.log" >&2; exit 1
fi
echo "rgw synth --method made inside $tag: refused, the plug-in is not installed"
