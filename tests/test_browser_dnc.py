"""Browser tests of the DNC pages in Chromium, for what only JavaScript does."""

import re

import pytest
from playwright.sync_api import Page, expect

from audit.models import AuditEntry
from dnc.models import DncNumber, Source, is_listed
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

E164 = "+12025550143"


def sign_in(page: Page, live_server) -> None:
    """Log alice in through the login form, starting from the DNC Numbers page."""
    page.goto(f"{live_server.url}/dnc/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dnc/$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/dnc/")
    expect(page.get_by_role("heading", name="DNC Numbers")).to_be_visible()


@pytest.fixture
def signed_in(page: Page, live_server, alice) -> Page:
    sign_in(page, live_server)
    return page


def list_number(e164: str, **fields) -> DncNumber:
    return DncNumber.objects.add(e164, by=None, source=Source.IMPORT, **fields).number


def mark_document(page: Page) -> None:
    """Tag the loaded document, so a full page load shows as the tag's loss."""
    page.evaluate("window.loadedOnce = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.loadedOnce === true")


def toast(page: Page):
    return page.locator("#toasts .toast")


def test_search_updates_the_table_in_place(signed_in):
    page = signed_in
    list_number(E164)
    list_number("+12125550100")
    page.reload()
    rows = page.locator("#dnc-table tbody tr")
    expect(rows).to_have_count(2)
    mark_document(page)

    page.get_by_label("Search").fill("(202) 555-0143")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(E164)
    expect(page).to_have_url(re.compile(r"\?q=\(202\)"))
    assert_same_document(page)

    page.get_by_label("Search").fill("555010")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("+12125550100")
    assert_same_document(page)


def test_add_in_modal_shows_the_notice(signed_in):
    page = signed_in
    mark_document(page)

    page.get_by_role("link", name="Add to DNC").click()
    dialog = page.locator("dialog#modal")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Phone number").fill("202.555.0143")
    dialog.get_by_label("Note (optional)").fill("asked on the phone")
    dialog.get_by_role("button", name="Add to DNC").click()

    expect(toast(page)).to_contain_text("skipped in all your campaigns")
    expect(toast(page)).to_contain_text("(202) 555-0143 is now on the DNC list")
    expect(dialog).to_be_hidden()
    expect(page.locator("#dnc-table tbody tr").first).to_contain_text(E164)
    assert_same_document(page)
    assert is_listed(E164)
    assert DncNumber.objects.get().note == "asked on the phone"


def test_invalid_number_stays_in_modal(signed_in):
    page = signed_in

    page.get_by_role("link", name="Add to DNC").click()
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Phone number").fill("202-555-014")
    dialog.get_by_role("button", name="Add to DNC").click()

    expect(dialog.get_by_role("alert")).to_contain_text(
        'Invalid phone number "202-555-014": too few digits'
    )
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Phone number")).to_have_value("202-555-014")
    expect(toast(page)).to_have_count(0)
    assert DncNumber.objects.count() == 0


def test_removal_needs_a_reason(signed_in):
    page = signed_in
    list_number(E164)
    page.reload()
    mark_document(page)

    page.get_by_role("link", name=f"Remove {E164} from the DNC list").click()
    dialog = page.locator("dialog#modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("can break federal and state telemarketing rules")
    delete = dialog.get_by_role("button", name="Delete")
    reason = dialog.get_by_label("Reason for removal")
    note = dialog.locator("textarea[name=note]")
    expect(delete).to_be_disabled()

    reason.select_option("other")
    expect(delete).to_be_disabled()
    note.fill("   ")
    expect(delete).to_be_disabled()
    note.fill("test line of the carrier")
    expect(delete).to_be_enabled()
    reason.select_option("")
    expect(delete).to_be_disabled()
    reason.select_option("reassigned")
    expect(delete).to_be_enabled()
    delete.click()

    expect(toast(page)).to_contain_text("(202) 555-0143 was removed")
    expect(dialog).to_be_hidden()
    expect(page.locator("#dnc-table")).to_contain_text("The DNC list is empty.")
    assert_same_document(page)
    assert not is_listed(E164)

    page.get_by_role("link", name="Audit log").click()
    newest = page.locator("#audit-table tbody tr").first
    expect(newest).to_contain_text("Removed")
    expect(newest).to_contain_text(E164)
    expect(newest).to_contain_text("The number now belongs to a different person")
    expect(newest).to_contain_text("test line of the carrier")
    expect(newest).to_contain_text("alice")
    assert AuditEntry.objects.filter(action="removed", reason="reassigned").exists()


def test_cancel_closes_the_modal(signed_in):
    page = signed_in
    list_number(E164)
    page.reload()

    page.get_by_role("link", name=f"Remove {E164} from the DNC list").click()
    dialog = page.locator("dialog#modal")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()

    expect(dialog).to_be_hidden()
    assert is_listed(E164)


def test_pages_load_nothing_from_other_hosts(page, live_server, alice):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    list_number(E164)

    sign_in(page, live_server)
    page.get_by_role("link", name="Add to DNC").click()
    expect(page.locator("dialog#modal")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()

    assert len(requested) > 5
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    assert any(url.endswith(".js") for url in requested)
    assert any(url.endswith(".css") for url in requested)


def test_repeated_add_says_since_when(signed_in):
    page = signed_in
    list_number(E164)

    page.get_by_role("link", name="Add to DNC").click()
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Phone number").fill("+1 202 555 0143")
    dialog.get_by_role("button", name="Add to DNC").click()

    expect(toast(page)).to_contain_text("is already on the DNC list, since")
    expect(toast(page)).to_have_class(re.compile(r"toast-info"))
    assert DncNumber.objects.count() == 1


def test_removal_by_someone_else_first(signed_in, charlie):
    page = signed_in
    list_number(E164)
    page.reload()
    page.get_by_role("link", name=f"Remove {E164} from the DNC list").click()
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Reason for removal").select_option("added_mistake")

    DncNumber.objects.remove(E164, by=charlie, reason="call_mistake")
    dialog.get_by_role("button", name="Delete").click()

    expect(toast(page)).to_contain_text("(202) 555-0143 was already removed")
    expect(toast(page)).to_have_class(re.compile(r"toast-warning"))
    expect(dialog).to_be_hidden()
    expect(page.locator("#dnc-table")).to_contain_text("The DNC list is empty.")
    assert AuditEntry.objects.filter(action="removed").count() == 1


def test_audit_filter_updates_the_download_link(signed_in, live_server):
    page = signed_in
    list_number(E164)
    list_number("+12125550100")
    page.goto(f"{live_server.url}/audit/")
    rows = page.locator("#audit-table tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Number").fill("(212) 555-0100")

    expect(rows).to_have_count(1)
    link = page.get_by_role("link", name="Download CSV")
    expect(link).to_have_attribute("href", re.compile(r"number=%28212%29"))
    with page.expect_download() as download_info:
        link.click()
    content = download_info.value.path().read_text(encoding="utf-8")
    assert "+12125550100" in content
    assert E164 not in content


def test_trash_of_a_number_removed_meanwhile(signed_in, charlie):
    page = signed_in
    list_number(E164)
    page.reload()
    DncNumber.objects.remove(E164, by=charlie, reason="call_mistake")

    page.get_by_role("link", name=f"Remove {E164} from the DNC list").click()

    expect(toast(page)).to_contain_text("(202) 555-0143 was already removed")
    expect(page.locator("dialog#modal")).to_be_hidden()
    expect(page.locator("#dnc-table")).to_contain_text("The DNC list is empty.")


def test_stale_csrf_token_says_reload(signed_in):
    page = signed_in
    page.get_by_role("link", name="Add to DNC").click()
    expect(page.locator("dialog#modal")).to_be_visible()
    # Logging in again in another tab replaces the CSRF cookie, so the token
    # in this page no longer matches it.
    page.context.clear_cookies(name="csrftoken")
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Phone number").fill(E164)
    dialog.get_by_role("button", name="Add to DNC").click()

    expect(toast(page)).to_contain_text("Reload the page and try again")
    expect(toast(page)).to_contain_text("Your session changed")
    assert DncNumber.objects.count() == 0


def test_expired_session_shows_the_login_page(signed_in, live_server):
    page = signed_in
    page.context.clear_cookies(name="sessionid")

    page.get_by_label("Search").fill("555")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dnc/"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.locator("#dnc-table")).to_have_count(0)
