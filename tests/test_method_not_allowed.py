import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("url", "method", "allowed"),
    [
        (reverse("dnc:list"), "post", "GET"),
        (reverse("dnc:add"), "delete", "GET, POST"),
        (reverse("audit:log"), "put", "GET"),
    ],
)
def test_wrong_method_page_says_what_works(admin_client, url, method, allowed):
    response = getattr(admin_client, method)(url)

    page = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert f"This address does not accept {method.upper()}" in page
    assert f"It accepts {allowed}" in page
