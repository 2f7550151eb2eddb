#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine with the .NET 10 SDK. Installs what the tests
# need (PostgreSQL server binaries) if missing; each test process starts its own throw-away PostgreSQL
# cluster under a temp folder (never a system cluster), and this script stops any a crashed run left.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=${RGW_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "Installing PostgreSQL 15 server binaries (no cluster is created or started)..."
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
command -v python3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; }
# The browser tests (tests/ReleaseGateway.BrowserTests) drive Debian's chromium by its executable path through Playwright's
# bundled driver; no browser build is ever downloaded. RGW_CHROMIUM names another chromium binary.
if [ -z "${RGW_CHROMIUM:-}" ] && [ ! -x /usr/lib/chromium/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o APT::Sandbox::User=root chromium >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

export RGW_TEST_PG_ROOT
RGW_TEST_PG_ROOT=$(mktemp -d /tmp/rgw-test-pg.XXXXXX)
chmod 755 "$RGW_TEST_PG_ROOT"
cleanup() {
  for db in "$RGW_TEST_PG_ROOT"/rgw-pg-*/db; do
    [ -f "$db/postmaster.pid" ] || continue
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$db" -m immediate stop >/dev/null 2>&1 || true
    else "$PG_BIN/pg_ctl" -D "$db" -m immediate stop >/dev/null 2>&1 || true; fi
  done
  rm -rf "$RGW_TEST_PG_ROOT"
}
trap cleanup EXIT

log=$(mktemp)
set +e
dotnet test ReleaseGateway.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over all test assemblies.
awk '/^(Passed!|Failed!) /{ for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
