#!/bin/sh
# Creates Temporal's two databases on first start and applies every schema version; on
# later starts (or after a Temporal upgrade) it applies only what is new. Runs in the
# temporalio/admin-tools image.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql_tool() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
        -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
    kind=temporal
    [ "$db" = temporal_visibility ] && kind=visibility
    # "create" and "setup-schema" fail harmlessly when done before: "update-schema" is
    # what must succeed.
    sql_tool --db "$db" create 2>/dev/null || echo "database $db exists"
    sql_tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db set up before"
    sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$kind/versioned"
done
echo "Temporal schema up to date"
