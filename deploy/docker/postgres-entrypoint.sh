#!/bin/sh
# Creates the cluster once (role hangar with HANGAR_DB_PASSWORD, the two databases), then runs it.
set -eu
bin=/usr/lib/postgresql/15/bin
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${HANGAR_DB_PASSWORD:?set HANGAR_DB_PASSWORD}"
  "$bin/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/tmp" -w start >/dev/null
  psql -h /tmp -v ON_ERROR_STOP=1 -q -U postgres <<SQL
CREATE ROLE hangar LOGIN PASSWORD '$HANGAR_DB_PASSWORD';
CREATE DATABASE hangar_gateway OWNER hangar;
CREATE DATABASE hangar_registry OWNER hangar;
SQL
  "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec "$bin/postgres" -D "$PGDATA" -c "listen_addresses=$PG_LISTEN" -c unix_socket_directories=/tmp
