#!/bin/bash
# Reads secrets mounted as files into the configuration before starting the gateway or rgw: every file in
# $RGW_SECRETS_DIR (default /run/secrets/rgw) becomes an environment variable named after the file, e.g.
# /run/secrets/rgw/ConnectionStrings__Postgres. Compose secrets and Kubernetes secret volumes both mount this way,
# so no secret sits in an environment block, an image layer or a command line.
set -euo pipefail
secrets=${RGW_SECRETS_DIR:-/run/secrets/rgw}
if [[ -d $secrets ]]; then
  for file in "$secrets"/*; do
    [[ -f $file ]] || continue
    name=$(basename "$file")
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    export "$name=$(<"$file")"
  done
fi
if [[ ${1:-} == rgw ]]; then
  shift
  exec dotnet /app/rgw.dll "$@"
fi
exec dotnet /app/ReleaseGateway.Api.dll "$@"
