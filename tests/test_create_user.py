import getpass
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from dnc.management.commands.create_user import Command
from dnc.roles import ADMINS, AGENTS, is_admin, is_agent
from tests.conftest import make_user

GOOD_PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("DNCADMIN_PASSWORD", GOOD_PASSWORD)
    return GOOD_PASSWORD


def create_user(*args) -> str:
    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def group_names(username: str) -> list[str]:
    user = User.objects.get(username=username)
    return list(user.groups.values_list("name", flat=True))


class TestCreate:
    def test_it_creates_an_admin(self, roles, password):
        output = create_user("erin", "--role", "admin", "--email", "e@example.com")

        user = User.objects.get(username="erin")
        assert 'Created admin "erin"' in output
        assert user.check_password(GOOD_PASSWORD) is True
        assert user.email == "e@example.com"
        assert group_names("erin") == [ADMINS]
        assert is_admin(user) is True
        assert user.is_superuser is False
        assert user.is_staff is False

    def test_it_creates_an_agent(self, roles, password):
        create_user("frank", "--role", "agent")

        user = User.objects.get(username="frank")
        assert group_names("frank") == [AGENTS]
        assert is_agent(user) is True
        assert is_admin(user) is False

    def test_help_names_the_password_variable(self):
        parser = Command().create_parser("manage.py", "create_user")

        assert "DNCADMIN_PASSWORD" in parser.format_help()

    def test_prompted_password_is_used(self, roles, monkeypatch):
        monkeypatch.delenv("DNCADMIN_PASSWORD", raising=False)
        monkeypatch.setattr(getpass, "getpass", lambda prompt: GOOD_PASSWORD)

        create_user("gina", "--role", "agent")

        assert User.objects.get(username="gina").check_password(GOOD_PASSWORD)


class TestRejected:
    def test_duplicate_name(self, roles, password):
        make_user("erin", AGENTS)

        with pytest.raises(CommandError, match='"erin" already exists'):
            create_user("erin", "--role", "admin")

        assert User.objects.filter(username="erin").count() == 1
        assert group_names("erin") == [AGENTS]

    @pytest.mark.parametrize(
        ("weak", "expected"),
        [("password", "too common"), ("x7#q", "too short")],
    )
    def test_weak_password(self, roles, monkeypatch, weak, expected):
        monkeypatch.setenv("DNCADMIN_PASSWORD", weak)

        with pytest.raises(CommandError, match=expected):
            create_user("erin", "--role", "admin")

        assert not User.objects.filter(username="erin").exists()

    def test_unknown_role(self, roles, password):
        with pytest.raises(CommandError, match="invalid choice: 'boss'"):
            create_user("erin", "--role", "boss")

        assert not User.objects.filter(username="erin").exists()

    def test_missing_role(self, roles, password):
        with pytest.raises(CommandError, match="--role"):
            create_user("erin")

        assert not User.objects.filter(username="erin").exists()

    def test_invalid_username(self, roles, password):
        with pytest.raises(CommandError, match='Invalid username "erin smith"'):
            create_user("erin smith", "--role", "agent")

        assert User.objects.count() == 0

    def test_no_password_and_no_terminal(self, roles, monkeypatch):
        monkeypatch.delenv("DNCADMIN_PASSWORD", raising=False)

        def no_terminal(prompt):
            raise EOFError

        monkeypatch.setattr(getpass, "getpass", no_terminal)

        with pytest.raises(CommandError, match="set DNCADMIN_PASSWORD"):
            create_user("erin", "--role", "agent")

        assert User.objects.count() == 0

    def test_prompted_passwords_differ(self, roles, monkeypatch):
        monkeypatch.delenv("DNCADMIN_PASSWORD", raising=False)
        answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
        monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))

        with pytest.raises(CommandError, match="passwords differ"):
            create_user("erin", "--role", "agent")

        assert User.objects.count() == 0

    def test_missing_group(self, password, db):
        Group.objects.filter(name=ADMINS).delete()

        with pytest.raises(CommandError, match='"Admins" group is missing'):
            create_user("erin", "--role", "admin")

        assert User.objects.count() == 0
