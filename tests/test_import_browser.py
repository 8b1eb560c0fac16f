"""Browser test of the Import page, for the htmx polling of a running import."""

import re

import pytest
from playwright.sync_api import Page, expect

from dnc.models import DncImport
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}{path}")


def test_progress_refreshes_until_done(page: Page, live_server, alice):
    dnc_import = DncImport.objects.create(
        file_name="registry.txt",
        uploaded_by=alice,
        status=DncImport.Status.RUNNING,
        rows_read=50_000,
        bytes_read=100,
        bytes_total=400,
    )
    sign_in(page, live_server, f"/dnc/import/{dnc_import.pk}/")
    page.evaluate("window.loadedOnce = true")
    status = page.locator("#import-status")
    expect(status).to_contain_text("50,000 rows read (25% of the file)")

    DncImport.objects.filter(pk=dnc_import.pk).update(rows_read=100_000, bytes_read=200)
    expect(status).to_contain_text("100,000 rows read (50% of the file)")

    DncImport.objects.filter(pk=dnc_import.pk).update(
        status=DncImport.Status.DONE, rows_read=180_000, added=179_000, rejected=1000
    )
    expect(status).to_contain_text(re.compile(r"^\s*Done"))
    expect(page.locator("#count-added")).to_have_text("179,000")
    expect(page.locator("#count-rejected")).to_have_text("1,000")
    assert page.evaluate("window.loadedOnce === true")
    expect(page.locator("#import-report")).not_to_have_attribute(
        "hx-trigger", "every 1s"
    )
