#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432, starting the
# local cluster when it is installed but stopped. Used by `make dev`,
# `make test` and CI.
set -euo pipefail
host=${PGHOST_CHECK:-127.0.0.1}
port=${PGPORT_CHECK:-5432}

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port"
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

if ready; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting the local PostgreSQL $version cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    if ready; then exit 0; fi
    sleep 1
  done
fi
cat >&2 <<MSG
No PostgreSQL server answers on $host:$port. Get one:
  - Debian/Ubuntu: apt-get install postgresql, then pg_ctlcluster <version> main start
    (stationflow connects as user postgres with trust auth; or set DATABASE_URL)
  - Docker: docker compose up -d postgres
MSG
exit 1
