#!/usr/bin/env bash
# Runs the gateway on the embedded default (SQLite under ./data): no server to install. The first time on a data
# folder it also runs the demo against it (deploy/demo.sh: demo users, the Pima table, one request from submission
# to a downloaded, verified release, a second refused for lack of budget, the audit chain verified), then keeps
# serving until Ctrl-C.
#
#   deploy/run.sh               build, start the gateway, run the demo once per data folder, keep serving
#   deploy/run.sh --no-demo     only the gateway, in the foreground (its log on the terminal)
#   deploy/run.sh --demo-only   build, start, run the demo, stop; exits with the demo's status
#
# Set ConnectionStrings__Postgres to run it on PostgreSQL instead; RGW_URLS to listen elsewhere (default
# http://127.0.0.1:5000). Further arguments go to the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
export ReleaseGateway__DataDirectory=${ReleaseGateway__DataDirectory:-$PWD/data}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
# The embedded default runs every generator: the neural one is a plug-in (ADR 0043), loaded from its build output.
export ReleaseGateway__Generators__Plugins=${ReleaseGateway__Generators__Plugins:-$PWD/src/ReleaseGateway.Releases.Neural/bin/Release/net10.0/ReleaseGateway.Releases.Neural.dll}
URLS=${RGW_URLS:-http://127.0.0.1:5000}
MODE=serve-with-demo
case ${1:-} in
    --no-demo) MODE=serve; shift ;;
    --demo-only) MODE=demo-only; shift ;;
esac
if [[ $MODE == serve ]]; then
    dotnet build -c Release src/ReleaseGateway.Releases.Neural -nologo -v quiet "-clp:ErrorsOnly;NoSummary"
    exec dotnet run -c Release --project src/ReleaseGateway.Api -- --urls "$URLS" "$@"
fi

DATA=$ReleaseGateway__DataDirectory
URL=${URLS%%;*}
STARTED=$SECONDS
echo "Building the gateway and rgw (Release)..."
dotnet build -c Release deploy/gateway.slnf -nologo -v quiet "-clp:ErrorsOnly;NoSummary"
mkdir -p "$DATA"
LOG=$DATA/gateway.log
echo "Starting the gateway at $URL (data: $DATA, log: $LOG)..."
# From the project folder, as 'dotnet run' would: its appsettings.json, and policies/ and workflows/ found above it.
(cd src/ReleaseGateway.Api && exec dotnet bin/Release/net10.0/ReleaseGateway.Api.dll --urls "$URLS" "$@") >> "$LOG" 2>&1 &
GATEWAY=$!
stop() { kill -TERM "$GATEWAY" 2>/dev/null && wait "$GATEWAY" 2>/dev/null; true; }
trap 'stop; exit 130' INT TERM
trap stop EXIT

# Ready when /health/ready answers 200; bash's /dev/tcp, so no curl is needed on a fresh machine.
hostport=${URL#*://}; hostport=${hostport%%/*}; host=${hostport%:*}; port=${hostport##*:}
ready() {
    { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
    printf 'GET /health/ready HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" >&3
    local status; IFS= read -r -t 5 status <&3 || status=
    exec 3<&-
    [[ $status == *" 200 "* ]]
}
for _ in $(seq 120); do
    ready && break
    kill -0 "$GATEWAY" 2>/dev/null || { echo "The gateway stopped; its log:" >&2; tail -30 "$LOG" >&2; exit 1; }
    sleep 0.5
done
ready || { echo "The gateway did not become ready in 60 s; see $LOG" >&2; exit 1; }
echo "Gateway ready after $((SECONDS - STARTED)) s."

status=0
if [[ -e $DATA/demo ]]; then
    echo "The demo already ran against $DATA (transcript: $DATA/demo-transcript.txt); for a fresh one use an empty data folder:"
    echo "  ReleaseGateway__DataDirectory=/tmp/rgw-demo deploy/run.sh"
else
    RGW_GATEWAY=$URL RGW_DLL=$PWD/src/ReleaseGateway.Cli/bin/Release/net10.0/rgw.dll deploy/demo.sh 2>&1 | tee "$DATA/demo-transcript.txt" || status=$?
    if (( status == 0 )); then
        echo "The demo finished $((SECONDS - STARTED)) s after deploy/run.sh started (build included)."
    else
        echo "The demo FAILED (exit $status); the gateway's log is $LOG." >&2
    fi
fi
[[ $MODE == demo-only ]] && exit "$status"

echo
echo "The gateway keeps serving at $URL (API reference: $URL/scalar; log: $LOG). Ctrl-C stops it."
wait "$GATEWAY"
