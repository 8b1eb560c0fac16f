import html

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import NoReverseMatch, reverse

from dnc.roles import is_admin, is_agent
from tests.conftest import PASSWORD, make_user

LOGIN_URL = reverse("login")


def text(response) -> str:
    return html.unescape(response.content.decode())


def console_url() -> str | None:
    try:
        return reverse("campaigns:console")
    except NoReverseMatch:
        return None


class TestLoginPage:
    def test_it_shows_the_form(self, db, anon_client):
        response = anon_client.get(LOGIN_URL)

        assert response.status_code == 200
        page = text(response)
        assert 'name="username"' in page
        assert 'name="password"' in page
        assert "Log out" not in page

    def test_admin_logs_in_to_the_dnc_list(self, alice):
        client = Client()

        response = client.post(
            LOGIN_URL, {"username": "alice", "password": PASSWORD}, follow=True
        )

        assert response.redirect_chain == [
            ("/", 302),
            (reverse("dnc:list"), 302),
        ]
        assert "DNC Numbers" in text(response)
        assert "alice · admin" in text(response)

    def test_it_follows_next(self, alice):
        client = Client()
        audit_url = reverse("audit:log")

        response = client.post(
            LOGIN_URL,
            {"username": "alice", "password": PASSWORD, "next": audit_url},
        )

        assert response.status_code == 302
        assert response["Location"] == audit_url

    def test_it_ignores_next_to_another_host(self, alice):
        client = Client()

        response = client.post(
            LOGIN_URL,
            {
                "username": "alice",
                "password": PASSWORD,
                "next": "https://example.com/",
            },
        )

        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_wrong_password_is_rejected(self, alice):
        client = Client()

        response = client.post(
            LOGIN_URL, {"username": "alice", "password": "not-the-password"}
        )

        assert response.status_code == 200
        page = text(response)
        assert "The username or password is wrong" in page
        assert 'value="alice"' in page
        assert "_auth_user_id" not in client.session

    def test_inactive_user_is_rejected(self, alice):
        alice.is_active = False
        alice.save()
        client = Client()

        response = client.post(LOGIN_URL, {"username": "alice", "password": PASSWORD})

        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_anonymous_page_keeps_next(self, db, anon_client):
        response = anon_client.get(reverse("dnc:list"), follow=True)

        page = response.content.decode()
        assert response.redirect_chain == [("/accounts/login/?next=/dnc/", 302)]
        assert 'name="next" value="/dnc/"' in page

    def test_logout_goes_to_login(self, admin_client):
        response = admin_client.post(reverse("logout"))

        assert response.status_code == 302
        assert response["Location"] == LOGIN_URL
        after = admin_client.get(reverse("dnc:list"))
        assert after["Location"].startswith(LOGIN_URL)

    @pytest.mark.parametrize(
        "url", ["/accounts/password_reset/", "/accounts/reset/done/"]
    )
    def test_anonymous_sees_only_login(self, db, anon_client, url):
        response = anon_client.get(url)

        assert response.status_code in (302, 404)


class TestHome:
    def test_admin_goes_to_dnc_list(self, admin_client):
        response = admin_client.get("/")

        assert response.status_code == 302
        assert response["Location"] == reverse("dnc:list")

    @pytest.mark.skipif(console_url() is None, reason="no agent console URL yet")
    def test_agent_goes_to_console(self, agent_client):
        response = agent_client.get("/")

        assert response.status_code == 302
        assert response["Location"] == console_url()

    def test_anonymous_goes_to_login(self, db, anon_client):
        response = anon_client.get("/")

        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/"

    def test_post_is_not_allowed(self, admin_client):
        response = admin_client.post("/")

        assert response.status_code == 405


class TestForbiddenPage:
    @pytest.mark.parametrize(
        "url", [reverse("dnc:list"), reverse("dnc:add"), reverse("audit:log")]
    )
    def test_agent_sees_the_403_page(self, agent_client, url):
        response = agent_client.get(url)

        assert response.status_code == 403
        page = text(response)
        assert "You do not have access to this page" in page
        assert "ask an admin" in page
        assert "bob · agent" in page

    def test_user_without_role_is_forbidden(self, db):
        client = Client()
        client.force_login(make_user("dora", None))

        response = client.get(reverse("dnc:list"))

        assert response.status_code == 403
        assert "dora · no role" in text(response)


class TestNavigation:
    def test_admin_sees_admin_links(self, admin_client):
        page = admin_client.get(reverse("dnc:list")).content.decode()

        assert f'href="{reverse("dnc:list")}"' in page
        assert f'href="{reverse("audit:log")}"' in page

    def test_agent_sees_no_admin_links(self, agent_client):
        page = agent_client.get(reverse("dnc:list")).content.decode()

        assert f'href="{reverse("audit:log")}"' not in page


class TestRoleChecks:
    def test_admin_is_admin_and_agent(self, alice):
        assert is_admin(alice) is True
        assert is_agent(alice) is True

    def test_agent_is_not_admin(self, bob):
        assert is_admin(bob) is False
        assert is_agent(bob) is True

    def test_superuser_is_admin(self, db):
        root = make_user("root", None)
        root.is_superuser = True

        assert is_admin(root) is True

    def test_inactive_admin_is_nothing(self, alice):
        alice.is_active = False

        assert is_admin(alice) is False
        assert is_agent(alice) is False

    def test_anonymous_is_nothing(self):
        assert is_admin(AnonymousUser()) is False
        assert is_agent(AnonymousUser()) is False
