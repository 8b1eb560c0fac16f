"""Adding a campaign's leads from a CSV file of contacts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import contacts_csv
from campaigns.contacts_csv import ContactFileError, RowError, import_contacts
from campaigns.models import Contact, Lead, PhoneNumber
from campaigns.testing import make_campaign

pytestmark = pytest.mark.django_db

# A contacts file in the usual shape: several phone columns, a number
# shared by two contacts, an extension and a cell that is not a number.
SAMPLE = b"""name,company,mobile,home,work
Riley Example,Acme Roofing,(646) 555-0140,646-555-0141,
Jordan Example,,646.555.0141,,+1 646 555 0142 x 22
Casey Example,Blue Homes,not given,(646) 555-0143,
"""


def numbers_of(name: str) -> dict[str, str]:
    phones = PhoneNumber.objects.filter(contact__name=name)
    return {phone.number: phone.label for phone in phones}


class TestImportContacts:
    def test_it_imports_the_sample(self):
        campaign = make_campaign()

        report = import_contacts(campaign, SAMPLE)

        assert (report.rows_read, report.contacts, report.leads_added) == (3, 3, 5)
        assert report.errors == [
            RowError(4, "mobile", "not given", "contains no digits")
        ]
        assert numbers_of("Riley Example") == {
            "+16465550140": "mobile",
            "+16465550141": "home",
        }
        assert numbers_of("Jordan Example") == {
            "+16465550141": "mobile",
            "+16465550142": "work",
        }
        assert numbers_of("Casey Example") == {"+16465550143": "home"}
        assert Contact.objects.get(name="Casey Example").company == "Blue Homes"
        assert campaign.leads.count() == 5
        shared = campaign.leads.filter(phone_number__number="+16465550141")
        assert shared.count() == 2

    def test_uploading_the_same_file_again_adds_nothing(self):
        campaign = make_campaign()
        import_contacts(campaign, SAMPLE)

        report = import_contacts(campaign, SAMPLE)

        assert report.leads_added == 0
        assert Contact.objects.count() == 3
        assert Lead.objects.count() == 5

    def test_known_contacts_join_another_campaign(self):
        import_contacts(make_campaign("One"), SAMPLE)
        other = make_campaign("Two")

        report = import_contacts(other, SAMPLE)

        assert report.leads_added == 5
        assert Contact.objects.count() == 3

    def test_it_reads_a_spreadsheets_semicolon_file(self):
        data = "\ufeffsep=;\nName;Firma;Phone\nRiley Example;Acme;2025550143\n"

        report = import_contacts(make_campaign(), data.encode())

        assert report.errors == []
        assert numbers_of("Riley Example") == {"+12025550143": "other"}

    def test_it_reads_a_windows_code_page(self):
        data = "name,phone\nRen\xe9e Example,2025550143\n".encode("cp1252")

        import_contacts(make_campaign(), data)

        assert Contact.objects.get().name == "Renée Example"

    def test_a_row_without_a_name_is_reported(self):
        data = b"name,phone\n,2025550143\nRiley Example,2025550144\n"

        report = import_contacts(make_campaign(), data)

        assert report.errors == [RowError(2, "name", "", "the name is empty")]
        assert report.leads_added == 1

    def test_a_row_without_a_valid_number_is_reported(self):
        data = b"name,mobile,home\nRiley Example,,2.02555E+09\n"

        report = import_contacts(make_campaign(), data)

        reasons = [(error.row, error.column, error.value) for error in report.errors]
        assert reasons == [
            (2, "home", "2.02555E+09"),
            (2, "", "Riley Example"),
        ]
        assert not Contact.objects.exists()

    def test_it_skips_blank_lines(self):
        data = b"name,phone\n\nRiley Example,2025550143\n,\n"

        report = import_contacts(make_campaign(), data)

        assert (report.rows_read, report.errors) == (1, [])

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "The file is empty."),
            (b"phone\n2025550143\n", 'needs a "name" column'),
            (b"name,email\nRiley,r@example.com\n", "at least one phone column"),
            (b"name,phone\n\n,\n", "a header row but no contacts"),
        ],
    )
    def test_a_file_without_the_columns_is_refused(self, data, message):
        with pytest.raises(ContactFileError, match=message):
            import_contacts(make_campaign(), data)

        assert not Lead.objects.exists()

    def test_too_many_rows_are_refused(self, monkeypatch):
        monkeypatch.setattr(contacts_csv, "MAX_ROWS", 2)
        data = b"name,phone\n" + b"".join(
            f"Contact {line},202555{line:04d}\n".encode() for line in range(100, 103)
        )

        with pytest.raises(ContactFileError, match="more than 2 contacts"):
            import_contacts(make_campaign(), data)

        assert not Contact.objects.exists()


class TestUploadView:
    """The upload posts to the campaign's page, which shows the result."""

    def url(self, campaign) -> str:
        return reverse("campaigns:detail", args=[campaign.pk])

    def upload(self, client, campaign, data: bytes):
        return client.post(
            self.url(campaign),
            {"file": SimpleUploadedFile("contacts.csv", data, "text/csv")},
        )

    def test_it_redirects_to_the_campaign(self, admin_client):
        campaign = make_campaign()

        response = self.upload(admin_client, campaign, SAMPLE)

        assert response.status_code == 302
        assert response.url == f"{self.url(campaign)}#import-report"
        assert campaign.leads.count() == 5

    def test_it_reports_the_import(self, admin_client):
        campaign = make_campaign()

        response = self.upload(admin_client, campaign, SAMPLE)
        response = admin_client.get(response.url)

        assert response.status_code == 200
        content = response.content.decode()
        assert "3 rows read, 3 contacts, 5 new leads." in content
        assert (
            "1 value was rejected, as listed below. Every other value in the file "
            "was imported." in content
        )
        assert "<td>4</td><td>mobile</td><td><code>not given</code></td>" in content
        assert "Contains no digits" in content
        assert campaign.leads.count() == 5

    def test_report_is_shown_once(self, admin_client):
        campaign = make_campaign()
        self.upload(admin_client, campaign, SAMPLE)
        admin_client.get(self.url(campaign))

        response = admin_client.get(self.url(campaign))

        assert response.status_code == 200
        assert b'id="import-report"' not in response.content

    def test_report_stays_with_its_campaign(self, admin_client):
        campaign, other = make_campaign("One"), make_campaign("Two")
        self.upload(admin_client, campaign, SAMPLE)

        response = admin_client.get(self.url(other))

        assert b'id="import-report"' not in response.content
        response = admin_client.get(self.url(campaign))
        assert b'id="import-report"' in response.content

    def test_file_without_new_leads_redirects(self, admin_client):
        campaign = make_campaign()
        import_contacts(campaign, SAMPLE)

        response = self.upload(admin_client, campaign, SAMPLE)

        assert response.status_code == 302
        response = admin_client.get(response.url)
        assert b"3 rows read, 3 contacts, 0 new leads." in response.content
        assert campaign.leads.count() == 5

    def test_it_lists_only_the_first_rejected_values(self, admin_client, monkeypatch):
        monkeypatch.setattr("campaigns.views.SHOWN_ERRORS", 2)
        data = SAMPLE + b"Sam Example,,x1,x2,x3\n"

        response = self.upload(admin_client, make_campaign(), data)
        content = admin_client.get(response.url).content.decode()

        assert "5 values were rejected, as listed below." in content
        assert content.count("<td><code>") == 2
        assert "Only the first 2 are shown." in content

    def test_a_file_of_bad_rows_only_is_unprocessable(self, admin_client):
        response = self.upload(admin_client, make_campaign(), b"name,phone\nA,x\n")

        assert response.status_code == 422
        assert b"Contains no digits" in response.content
        assert b"1 row read, 0 contacts, 0 new leads." in response.content
        assert not Lead.objects.exists()

    def test_a_file_without_a_name_column_is_reported(self, admin_client):
        response = self.upload(admin_client, make_campaign(), b"phone\n2025550143\n")

        assert response.status_code == 422
        assert b"needs a &quot;name&quot; column" in response.content

    def test_a_missing_file_is_reported(self, admin_client):
        response = admin_client.post(self.url(make_campaign()), {})

        assert response.status_code == 422
        assert b"Choose a CSV file of contacts to upload." in response.content

    def test_a_large_file_is_refused(self, admin_client, monkeypatch):
        monkeypatch.setattr("campaigns.views.MAX_BYTES", 10)

        response = self.upload(admin_client, make_campaign(), SAMPLE)

        assert response.status_code == 422
        assert b"&quot;contacts.csv&quot; is larger than" in response.content
        assert not Lead.objects.exists()

    def test_agent_is_forbidden(self, agent_client):
        response = self.upload(agent_client, make_campaign(), SAMPLE)

        assert response.status_code == 403
        assert not Lead.objects.exists()

    def test_anonymous_goes_to_login(self, anon_client):
        response = self.upload(anon_client, make_campaign(), SAMPLE)

        assert response.status_code == 302
        assert not Lead.objects.exists()

    def test_put_is_not_allowed(self, admin_client):
        response = admin_client.put(self.url(make_campaign()))

        assert response.status_code == 405
        assert not Lead.objects.exists()
