#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at the URL given: starts the local cluster if it is
# down, installs it from Debian's packages if it is missing, and creates the database.
set -euo pipefail
url="$1"

if ! command -v pg_isready >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing PostgreSQL from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql postgresql-client >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    echo "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && break
        sleep 1
    done
fi
pg_isready -h 127.0.0.1 -p 5432

# Trust auth for local TCP connections is what the test URL expects; a freshly installed
# cluster asks for passwords, so allow the loopback address for the test run.
if ! psql "$url" -Atc 'select 1' >/dev/null 2>&1; then
    hba="$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)"
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
        version="$(ls /etc/postgresql | sort -V | tail -n 1)"
        pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
    database="$(basename "${url%%\?*}")"
    su postgres -c "psql -Atc \"select 1 from pg_database where datname = '$database'\"" | grep -q 1 \
        || su postgres -c "createdb '$database'"
fi
psql "$url" -Atc 'select version()'
