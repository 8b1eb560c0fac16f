import pytest

from dnc.api import MAX_NUMBERS
from dnc.models import DncNumber, Source

URL = "/dnc/api/check/"


@pytest.fixture
def listed(alice):
    return DncNumber.objects.add("(202) 555-0143", by=alice, source=Source.MANUAL)


def test_check_reports_listed_and_unlisted(agent_client, listed):
    response = agent_client.get(URL, {"number": ["202.555.0143", "202-555-0144"]})

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {
        "input": "202.555.0143",
        "e164": "+12025550143",
        "valid": True,
        "dnc": True,
        "error": None,
    }
    assert results[1]["e164"] == "+12025550144"
    assert results[1]["dnc"] is False


def test_check_reports_invalid_number(admin_client):
    response = admin_client.get(URL, {"number": "2.02555E+09"})

    result = response.json()["results"][0]
    assert response.status_code == 200
    assert result["valid"] is False
    assert result["e164"] is None
    assert "2.02555E+09" in result["error"]


def test_check_without_number_is_bad_request(agent_client):
    response = agent_client.get(URL)

    assert response.status_code == 400
    assert "number" in response.json()["error"]


def test_check_rejects_too_many_numbers(agent_client):
    response = agent_client.get(URL, {"number": ["2025550143"] * (MAX_NUMBERS + 1)})

    assert response.status_code == 400
    assert str(MAX_NUMBERS + 1) in response.json()["error"]


def test_check_rejects_post(agent_client):
    assert agent_client.post(URL, {"number": "2025550143"}).status_code == 405


def test_check_redirects_anonymous(anon_client):
    response = anon_client.get(URL, {"number": "2025550143"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_check_forbids_user_without_role(db, client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-long-pass")
    client.force_login(user)

    assert client.get(URL, {"number": "2025550143"}).status_code == 403
