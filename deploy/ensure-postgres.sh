#!/usr/bin/env bash
# Makes sure a PostgreSQL server accepts connections on 127.0.0.1:5432, where
# `make dev`, `make test` and CI expect one (user postgres, trust auth).
# When it does not, and a Debian/Ubuntu cluster for that port is installed,
# the cluster is started; otherwise this says how to get a server and fails.
#
# PG_CHECK_HOST and PG_CHECK_PORT change the address that is checked.
set -euo pipefail

host=${PG_CHECK_HOST:-127.0.0.1}
port=${PG_CHECK_PORT:-5432}

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port" -t 3
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

# Warn (without failing) when the server answers but refuses the passwordless
# login as postgres that stationflow's default DATABASE_URL uses.
check_login() {
  command -v psql >/dev/null 2>&1 || return 0
  local err
  if ! err=$(PGCONNECT_TIMEOUT=5 psql -w -X -h "$host" -p "$port" -U postgres -d postgres -Atc 'SELECT 1' 2>&1 >/dev/null); then
    echo "warning: PostgreSQL on $host:$port refused 'psql -h $host -U postgres' without a password:" >&2
    echo "  $err" >&2
    echo "  stationflow's default DATABASE_URL needs trust auth for user postgres on 127.0.0.1" >&2
    echo "  (pg_hba.conf: host all postgres 127.0.0.1/32 trust), or set DATABASE_URL with a password." >&2
  fi
}

if ready; then
  check_login
  exit 0
fi

# The Debian/Ubuntu packages (postgresql-common) manage clusters with
# pg_ctlcluster; --skip-systemctl-redirect makes it work without systemd
# (containers, CI). Prefer the cluster configured for $port.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version='' cluster=''
  if command -v pg_lsclusters >/dev/null 2>&1; then
    read -r version cluster < <(pg_lsclusters --no-header 2>/dev/null | awk -v p="$port" '$3 == p { print $1, $2; exit }') || true
  elif [[ -d /etc/postgresql ]]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    cluster=main
  fi
  if [[ -n $version ]]; then
    echo "PostgreSQL is not answering on $host:$port: starting cluster $version/$cluster" >&2
    if pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start; then
      for _ in $(seq 1 30); do
        if ready; then
          check_login
          exit 0
        fi
        sleep 1
      done
      echo "cluster $version/$cluster started but $host:$port still does not answer" >&2
    elif [[ $(id -u) -ne 0 ]]; then
      echo "could not start it as $(id -un); try: sudo pg_ctlcluster --skip-systemctl-redirect $version $cluster start" >&2
    fi
  fi
fi

cat >&2 <<MSG
No PostgreSQL server answers on $host:$port. stationflow needs one there,
reachable as user postgres without a password (or set DATABASE_URL). Either:
  - Debian/Ubuntu: apt-get install postgresql, then
      pg_ctlcluster --skip-systemctl-redirect <version> main start
    and allow trust auth for user postgres on 127.0.0.1 in pg_hba.conf
  - Docker: docker compose up -d postgres   (from the repository root)
MSG
exit 1
