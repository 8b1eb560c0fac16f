"""The benchmark's own database, and fast bulk loads into it.

The benchmark never touches the development or test database: it drops and
creates a database of its own on the same PostgreSQL server, points Django at
it through DATABASE_URL and migrates it.
"""

import os
from urllib.parse import quote

import dj_database_url
import psycopg
from psycopg import sql

DEFAULT_NAME = "dncadmin_bench"

# Databases that other processes use, which the benchmark never drops.
_PROTECTED_NAMES = {"postgres", "template0", "template1", "test_postgres"}


def server_settings() -> dict:
    """Return the Django settings of the server the project uses.

    DATABASE_URL names it when set. Otherwise it is the embedded server, which
    is started if it is not running (and is left running afterwards).
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url)
    from dncadmin import embedded_db

    return embedded_db.start()


def connection_kwargs(server: dict, name: str) -> dict:
    """Return psycopg.connect() arguments for database `name` on `server`."""
    kwargs = {"dbname": name, "host": server["HOST"], "port": server["PORT"]}
    for key, setting in (("user", "USER"), ("password", "PASSWORD")):
        if server.get(setting):
            kwargs[key] = server[setting]
    return kwargs


def database_url(server: dict, name: str) -> str:
    """Return a DATABASE_URL for database `name` on `server`."""
    # A unix socket directory goes in the host part, percent-encoded.
    host = quote(str(server["HOST"]), safe="")
    user = quote(server.get("USER") or "postgres", safe="")
    password = server.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    return f"postgres://{credentials}@{host}:{server['PORT']}/{name}"


def recreate_database(server: dict, name: str) -> None:
    """Drop the benchmark database if it exists and create it empty."""
    drop_database(server, name)
    _maintenance_execute(server, sql.SQL("CREATE DATABASE {}").format(_ident(name)))


def drop_database(server: dict, name: str) -> None:
    """Drop the benchmark database, ending the sessions still connected to it."""
    if name in _PROTECTED_NAMES or name == server.get("NAME"):
        raise ValueError(
            f"Refusing to drop the database {name!r}: the benchmark needs a "
            "database of its own, such as the default dncadmin_bench."
        )
    _maintenance_execute(
        server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_ident(name))
    )


def _maintenance_execute(server: dict, statement: sql.Composed) -> None:
    with psycopg.connect(
        **connection_kwargs(server, "postgres"), autocommit=True
    ) as conn:
        conn.execute(statement)


def server_version(conn: psycopg.Connection) -> str:
    return conn.execute("SHOW server_version").fetchone()[0]


def secondary_indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """Return (name, CREATE INDEX statement) of a table's plain indexes.

    Indexes behind a constraint (the primary key, unique constraints) are left
    out: those stay in place during a load.
    """
    return conn.execute(
        """
        SELECT i.indexname, i.indexdef
        FROM pg_indexes i
        WHERE i.tablename = %s
          AND i.indexname NOT IN (
              SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass
          )
        ORDER BY i.indexname
        """,
        [table, table],
    ).fetchall()


def copy_rows(
    conn: psycopg.Connection,
    table: str,
    columns: list[str],
    rows,
) -> None:
    """Load rows into a table with COPY, then VACUUM ANALYZE it.

    Each row is a tuple of text values without tabs, newlines or backslashes.
    The table's plain indexes are dropped before the load and created again
    after it, because building an index once is faster than updating it for
    every row.
    """
    indexes = secondary_indexes(conn, table)
    with conn.transaction():
        for name, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(_ident(name)))
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            _ident(table), sql.SQL(", ").join(map(_ident, columns))
        )
        with conn.cursor().copy(statement) as copy:
            batch = []
            for row in rows:
                batch.append("\t".join(row))
                if len(batch) == 50_000:
                    copy.write("\n".join(batch) + "\n")
                    batch.clear()
            if batch:
                copy.write("\n".join(batch) + "\n")
    # A separate transaction: deferred constraint checks queued by the COPY,
    # if the table has any, must run before an index can be built.
    with conn.transaction():
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            conn.execute(definition)
    vacuum_analyze(conn, table)
    checkpoint(conn)


def checkpoint(conn: psycopg.Connection) -> None:
    """Write out the dirty pages of a load now, not while a later part is timed.

    Otherwise the checkpointer flushes them in the background and slows the
    commits of whatever runs next.
    """
    conn.execute("CHECKPOINT")


def vacuum_analyze(conn: psycopg.Connection, table: str) -> None:
    """VACUUM ANALYZE one table, as autovacuum would soon after a load."""
    # VACUUM cannot run in a transaction block.
    previous = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(_ident(table)))
    finally:
        conn.autocommit = previous


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)
