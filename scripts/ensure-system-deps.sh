#!/usr/bin/env bash
# The test suite drives a real Chromium and a throwaway PostgreSQL, and the several-worker
# topology (`make run-cluster`, tests/cluster, tests/e2e/test_cluster.py) adds Redis and nginx;
# install them when missing.
# As root (CI, a fresh machine) install them with apt; otherwise say what to install and fail.
set -euo pipefail

# With arguments, those packages are wanted (e.g. python3-venv when `python3 -m venv` fails).
missing=("$@")
if [ $# -eq 0 ]; then
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    if [ -z "${PG_BIN:-}" ] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
        && ! command -v initdb >/dev/null; then
        missing+=(postgresql)
    fi
    command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null || missing+=(openssl)  # the mail tests' TLS certificate
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "make test and make run-cluster need these system packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
