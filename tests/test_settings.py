import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dncadmin.settings import env_bool, env_list

PROJECT = Path(__file__).resolve().parent.parent

# Settings parse DATABASE_URL without connecting, so these runs need no server.
BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "dncadmin.settings",
    "DATABASE_URL": "postgres://dncadmin@127.0.0.1:5432/dncadmin",
}

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SECRET_KEY": settings.SECRET_KEY,
    "DNC_DEFAULT_REGION": settings.DNC_DEFAULT_REGION,
}))
"""


def load_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only these variables."""
    variables = {"PATH": os.environ["PATH"], **BASE_ENV, **env}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=PROJECT,
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on"])
    def test_true_values(self, monkeypatch, value):
        monkeypatch.setenv("FLAG", value)

        assert env_bool("FLAG", False) is True

    @pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off"])
    def test_false_values(self, monkeypatch, value):
        monkeypatch.setenv("FLAG", value)

        assert env_bool("FLAG", True) is False

    @pytest.mark.parametrize("value", [None, ""])
    def test_unset_gives_default(self, monkeypatch, value):
        if value is None:
            monkeypatch.delenv("FLAG", raising=False)
        else:
            monkeypatch.setenv("FLAG", value)

        assert env_bool("FLAG", True) is True
        assert env_bool("FLAG", False) is False

    @pytest.mark.parametrize("value", ["maybe", "2", "tru", " true"])
    def test_bad_value_fails_loudly(self, monkeypatch, value):
        monkeypatch.setenv("FLAG", value)

        with pytest.raises(ImproperlyConfigured) as raised:
            env_bool("FLAG", True)

        assert f"FLAG={value!r}" in str(raised.value)
        assert "use true or false" in str(raised.value)


class TestEnvList:
    def test_it_splits_and_strips(self, monkeypatch):
        monkeypatch.setenv("HOSTS", " a.example , b.example,,")

        assert env_list("HOSTS", []) == ["a.example", "b.example"]

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_unset_gives_default(self, monkeypatch, value):
        if value is None:
            monkeypatch.delenv("HOSTS", raising=False)
        else:
            monkeypatch.setenv("HOSTS", value)

        assert env_list("HOSTS", ["localhost"]) == ["localhost"]


class TestSettingsModule:
    def test_production_values_are_read(self):
        result = load_settings(
            DEBUG="false",
            SECRET_KEY="k" * 50,
            ALLOWED_HOSTS="dnc.example.com, www.dnc.example.com",
            DNC_DEFAULT_REGION="gb",
        )

        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout)
        assert values["DEBUG"] is False
        assert values["SECRET_KEY"] == "k" * 50
        assert values["ALLOWED_HOSTS"] == ["dnc.example.com", "www.dnc.example.com"]
        assert values["DNC_DEFAULT_REGION"] == "GB"

    def test_bad_debug_stops_start_up(self):
        result = load_settings(DEBUG="maybe")

        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "DEBUG='maybe' is not a boolean" in result.stderr

    def test_production_needs_a_secret_key(self):
        result = load_settings(DEBUG="false")

        assert result.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is false" in result.stderr

    def test_database_must_be_postgresql(self):
        result = load_settings(DATABASE_URL="sqlite:///dnc.sqlite3")

        assert result.returncode != 0
        assert "DATABASE_URL must point at PostgreSQL" in result.stderr

    def test_unknown_region_stops_start_up(self):
        result = load_settings(DNC_DEFAULT_REGION="XX")

        assert result.returncode != 0
        assert "DNC_DEFAULT_REGION" in result.stderr
