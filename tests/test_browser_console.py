"""The agent console in Chromium, and the add modal's contact picker."""

import re

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import Lead
from campaigns.testing import make_campaign, make_contact, make_lead
from dnc.models import DncNumber, Source
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHARED = "+14155550100"
OTHER = "+14155550101"


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def dial_next(page: Page, campaign: str) -> None:
    page.get_by_label("Active campaign").select_option(label=campaign)
    page.get_by_role("button", name="Dial next").click()


def test_dnc_in_one_campaign_skips_the_number_in_the_next(page: Page, live_server, bob):
    contact = make_contact("Morgan Example", company="Cedar Realty")
    make_lead(make_campaign("Spring leads"), SHARED, contact)
    solar = make_campaign("Solar follow-up")
    shared_lead = make_lead(solar, SHARED, contact)
    make_lead(solar, OTHER, make_contact("Riley Example"))

    sign_in(page, live_server, "bob")
    expect(page.get_by_role("heading", name="Agent console")).to_be_visible()
    dial_next(page, "Spring leads")

    expect(page.locator("#dialled-number")).to_have_text("(415) 555-0100")
    expect(page.locator("#contact")).to_contain_text("Morgan Example")
    expect(page.locator("#contact")).to_contain_text("Cedar Realty")
    page.get_by_label("Call status").select_option(label="DNC: do not call again")
    page.get_by_role("button", name="Save call status").click()

    expect(page.locator("#toasts")).to_contain_text(
        "(415) 555-0100 is now on the DNC list. It will be skipped in all campaigns"
    )
    dial_next(page, "Solar follow-up")

    expect(page.locator("#dialled-number")).to_have_text("(415) 555-0101")
    expect(page.locator("#contact")).to_contain_text("Riley Example")
    shared_lead.refresh_from_db()
    assert shared_lead.status == Lead.Status.SKIPPED_DNC
    assert DncNumber.objects.get().source == Source.CALL_STATUS


def test_a_manual_call_to_a_listed_number_is_refused(page: Page, live_server, bob):
    DncNumber.objects.add(SHARED, by=None, source=Source.API)

    sign_in(page, live_server, "bob")
    page.get_by_label("Phone number").fill("415 555 0100")
    page.get_by_role("button", name="Call", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text(
        "(415) 555-0100 is on the Do Not Call list, so the call was not placed. "
        "Call another number."
    )
    expect(page.get_by_label("Phone number")).to_have_value("415 555 0100")
    expect(page).to_have_url(f"{live_server.url}/campaigns/console/")


def test_the_add_modal_fills_in_a_picked_contacts_number(
    page: Page, live_server, alice
):
    make_contact("Riley Example", SHARED, OTHER, company="Acme Roofing")

    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="Add to DNC").click()
    dialog = page.locator("dialog#modal")
    expect(dialog.get_by_label("Phone number")).to_be_focused()
    dialog.get_by_label("Or find a contact by name").fill("riley")
    dialog.get_by_role("button", name=re.compile(r"\(415\) 555-0101")).click()

    expect(dialog.get_by_label("Phone number")).to_have_value(OTHER)
    dialog.get_by_role("button", name="Add to DNC").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#dnc-table")).to_contain_text("Riley Example")
    assert list(DncNumber.objects.values_list("phone_number", flat=True)) == [OTHER]


def test_contact_search_follows_every_query(page: Page, live_server, alice):
    make_contact("Casey Example", SHARED, company="Blue Homes")
    make_contact("Riley Example", OTHER, company="Acme Roofing")
    make_contact("Riley Dummy", "+14155550102")
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="Add to DNC").click()
    dialog = page.locator("dialog#modal")
    search = dialog.get_by_label("Or find a contact by name")
    matches = dialog.locator("#contact-matches")
    expect(dialog.get_by_label("Phone number")).to_be_focused()
    # One letter searches nothing, and its empty response must keep the box.
    with page.expect_response(re.compile(r"/contacts/search/\?q=C$")):
        search.press_sequentially("C", delay=80)
    search.press_sequentially("asey", delay=80)

    expect(matches).to_contain_text("Casey Example")

    search.clear()
    search.press_sequentially("Riley", delay=80)

    expect(matches.locator("li")).to_have_count(2)
    expect(matches).to_contain_text("Riley Example")
    expect(matches).to_contain_text("Riley Dummy")

    search.press_sequentially(" Dummy", delay=80)

    expect(matches.locator("li")).to_have_count(1)
    expect(matches).to_contain_text("Riley Dummy")
    expect(matches).not_to_contain_text("Riley Example")
    assert not [text for text in messages if "targetError" in text]


def test_add_modal_takes_input_once_focused(page: Page, live_server, alice):
    make_contact("Riley Example", OTHER, company="Acme Roofing")
    sign_in(page, live_server, "alice")
    # A typist as fast as the browser: the search is filled in the instant
    # the modal focuses its first field.
    page.evaluate(
        """() => document.addEventListener("focusin", (event) => {
            if (event.target.id !== "id_phone_number") return;
            const search = document.getElementById("id_contact_search");
            if (!search || search.value) return;
            search.value = "riley";
            search.dispatchEvent(new Event("input", {bubbles: true}));
        })"""
    )

    page.get_by_role("link", name="Add to DNC").click()

    dialog = page.locator("dialog#modal")
    expect(dialog.get_by_label("Phone number")).to_be_focused()
    expect(dialog.locator("#contact-matches")).to_contain_text("Riley Example")


def test_manual_call_panel_keeps_its_width(page: Page, live_server, bob):
    sign_in(page, live_server, "bob")
    panel = page.locator("#manual-call")
    before = panel.bounding_box()

    page.get_by_label("Phone number").fill("555-01")
    page.get_by_role("button", name="Call", exact=True).click()

    expect(panel.get_by_role("alert")).to_contain_text("555-01")
    after = panel.bounding_box()
    assert after["width"] == before["width"]
    assert after["x"] == before["x"]
    expect(page).to_have_url(f"{live_server.url}/campaigns/console/")
