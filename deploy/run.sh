#!/usr/bin/env bash
# Runs the gateway on the embedded default (SQLite under ./data): no server to install.
# Set ConnectionStrings__Postgres to run it on PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export ReleaseGateway__DataDirectory=${ReleaseGateway__DataDirectory:-$PWD/data}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
exec dotnet run -c Release --project src/ReleaseGateway.Api -- --urls "${RGW_URLS:-http://127.0.0.1:5000}" "$@"
