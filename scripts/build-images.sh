#!/usr/bin/env bash
# Builds the local images Berth's tests and examples use, without any registry:
#   berth-local/busybox:1  a root file system of Debian's busybox-static, through `docker import`
#   berth-local/hello:v1   test/fixtures/hello built FROM it; answers with its version
# Skipped when present and built from the same inputs (recorded in an image label).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOCKER=/usr/bin/docker
say() { printf 'images: %s\n' "$*" >&2; }

label_of() { $DOCKER image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

busybox_sum=$(sha256sum /bin/busybox | cut -c1-16)
if [ "$(label_of berth-local/busybox:1 berth.source)" != "$busybox_sum" ]; then
  say "importing berth-local/busybox:1 from Debian's busybox-static"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{bin,etc,tmp,www,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | $DOCKER import \
    -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' -c "LABEL berth.source=$busybox_sum" - berth-local/busybox:1 >/dev/null
fi

hello_sum=$( (cat "$ROOT/test/fixtures/hello/Dockerfile"; echo "$busybox_sum") | sha256sum | cut -c1-16)
if [ "$(label_of berth-local/hello:v1 berth.source)" != "$hello_sum" ]; then
  say "building berth-local/hello:v1"
  DOCKER_BUILDKIT=1 $DOCKER build -q --label "berth.source=$hello_sum" --build-arg VERSION=v1 \
    -t berth-local/hello:v1 "$ROOT/test/fixtures/hello" >/dev/null
fi
