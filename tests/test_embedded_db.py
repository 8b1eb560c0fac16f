import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from dncadmin import embedded_db

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="DATABASE_URL is set, so the embedded server is not in use",
)


def test_start_reuses_the_running_server():
    first = embedded_db.start()
    second = embedded_db.start()

    assert first == second
    assert first["ENGINE"] == "django.db.backends.postgresql"
    assert Path(first["HOST"]).is_dir()
    assert first["HOST"].startswith("/")


def test_server_accepts_connections_on_its_socket():
    settings = embedded_db.start()

    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
    ) as connection:
        version = connection.execute("SHOW server_version_num").fetchone()[0]

    assert int(version) >= 180000


def test_command_line_rejects_unknown_command():
    result = subprocess.run(
        [sys.executable, "-m", "dncadmin.embedded_db", "restart"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "usage: python -m dncadmin.embedded_db start|stop" in result.stderr
