#!/usr/bin/env bash
# Writes the compose stack's secrets once (owner-only files, never committed): the PostgreSQL password, the
# connection string the gateways use, and the storage key (32 random bytes, base64) that seals blobs and keys.
# Keep a copy of storage_key with your backups: a database dump is useless without it (docs/deployment.md).
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
[[ -e $dir/postgres_password ]] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/postgres_password"
[[ -e $dir/postgres_connection ]] || printf 'Host=postgres;Database=rgw;Username=rgw;Password=%s' "$(cat "$dir/postgres_password")" > "$dir/postgres_connection"
[[ -e $dir/storage_key ]] || head -c 32 /dev/urandom | base64 > "$dir/storage_key"
echo "secrets in $dir"
