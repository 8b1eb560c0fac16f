import os
import shutil

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from dnc.roles import ADMINS, AGENTS

# live_server runs the app in a thread while Playwright's sync API runs an
# event loop in the test's thread, so Django would otherwise reject ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    if role:
        user.groups.add(ensure_role(role))
    return user


def ensure_role(name: str) -> Group:
    # A migration creates the role groups, but a transactional test flushes
    # every table afterwards, so the tests that follow it recreate them.
    group, _ = Group.objects.get_or_create(name=name)
    return group


@pytest.fixture
def alice(db) -> User:
    """An admin."""
    return make_user("alice", ADMINS)


@pytest.fixture
def bob(db) -> User:
    """An agent."""
    return make_user("bob", AGENTS)


@pytest.fixture
def charlie(db) -> User:
    """A second admin."""
    return make_user("charlie", ADMINS)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def agent_client(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture
def roles(db) -> None:
    """The Admins and Agents groups, present even after a transactional test."""
    ensure_role(ADMINS)
    ensure_role(AGENTS)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test run its own database, so that runs started side by side
    on one PostgreSQL server do not drop each other's test database."""
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = f"test_dncadmin_{os.getpid()}"


@pytest.fixture(scope="session")
def base_url(pytestconfig) -> str | None:
    """The --base-url option, for pytest-playwright's page fixture.

    pytest-playwright 0.10.0 defines its own fallback as a method of a plugin
    class, which pytest 9.2 warns about, and the suite turns warnings into
    errors. This plain fixture takes its place.
    """
    return pytestconfig.getoption("--base-url") or None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests after all other tests.

    pytest groups tests by the session-scoped browser fixture, which can put
    them before plain database tests. A database test that runs after a
    Playwright test leaves its connection open, and dropping the test database
    at the end of the run then fails with "being accessed by other users".
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Hash test users' passwords with MD5: PBKDF2 costs a second a test here."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
