"""Demo campaigns for `manage.py seed_demo`: fictional contacts and numbers.

Every number is a 555-0100..555-0199 line, the range kept for fiction. The
demo DNC list contains the first 300 of seed_demo's numbers, which are those of
area codes 202, 212 and 305, so some leads here are listed and get skipped.
The first lead of both campaigns is the same number, to try the status DNC
in one campaign and see the number skipped in the other.
"""

import random

from campaigns.models import Call, Campaign, Contact, Lead, PhoneNumber

FIRST_NAMES = [
    "Avery", "Blake", "Casey", "Devon", "Emerson", "Finley", "Gray", "Harper",
    "Indigo", "Jordan", "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker",
    "Quinn", "Riley", "Sage", "Taylor",
]  # fmt: skip
LAST_NAMES = [
    "Example", "Sample", "Specimen", "Placeholder", "Fictional", "Testcase",
    "Demo", "Mockridge", "Dummyfield", "Notreal",
]  # fmt: skip
COMPANIES = [
    "Acme Roofing", "Blue Homes", "Cedar Realty", "Delta Plumbing",
    "Evergreen Solar", "Fairview Windows",
]  # fmt: skip
# Listed by seed_demo: 202, 212, 305. Not listed: the others.
AREA_CODES = ["202", "212", "305", "415", "646", "718", "312", "617", "213", "503"]
SHARED_FIRST_NUMBER = "+14155550100"


def _numbers(rng: random.Random):
    """Yield distinct fictional numbers in a random order."""
    pool = [f"+1{area}5550{line}" for area in AREA_CODES for line in range(100, 200)]
    pool.remove(SHARED_FIRST_NUMBER)
    rng.shuffle(pool)
    yield from pool


def _make_contacts(count: int, rng: random.Random, numbers) -> list[Contact]:
    contacts = Contact.objects.bulk_create(
        Contact(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            company=rng.choice(COMPANIES) if rng.random() < 0.4 else "",
        )
        for _ in range(count)
    )
    labels = list(PhoneNumber.Label.values)
    phones = []
    for contact in contacts:
        # Most have one number, some two or three.
        how_many = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        for label in rng.sample(labels, how_many):
            phones.append(
                PhoneNumber(contact=contact, number=next(numbers), label=label)
            )
    PhoneNumber.objects.bulk_create(phones)
    return contacts


def _share_numbers(contacts: list[Contact]) -> None:
    """Give some contacts another contact's number, as a shared home line."""
    for owner, other in zip(contacts[::15], contacts[7::15], strict=False):
        number = owner.phone_numbers.first().number
        PhoneNumber.objects.get_or_create(
            contact=other, number=number, defaults={"label": PhoneNumber.Label.HOME}
        )


def _add_leads(campaign: Campaign, contacts: list[Contact]) -> None:
    phones = PhoneNumber.objects.filter(contact__in=contacts).order_by("contact_id")
    Lead.objects.bulk_create(
        [Lead(campaign=campaign, phone_number=phone) for phone in phones],
        ignore_conflicts=True,
    )


def _past_calls(campaign: Campaign, agent) -> None:
    """Record a few calls the agent already made, to fill the counts.

    The last one ends with the status DNC, so the demo list has numbers of
    that source too.
    """
    leads = campaign.leads.filter(phone_number__number__startswith="+1646")
    statuses = [
        Call.Status.ANSWERED,
        Call.Status.VOICEMAIL,
        Call.Status.NO_ANSWER,
        Call.Status.DNC,
    ]
    recent = leads.order_by("-id")[: len(statuses)]
    for lead, status in zip(recent, statuses, strict=False):
        call = Call.objects.create(
            phone_number=lead.phone_number.number,
            agent=agent,
            campaign=campaign,
            contact=lead.phone_number.contact,
            lead=lead,
        )
        call.set_status(status, by=agent)


def seed_campaigns(admin, agent) -> list[Campaign]:
    """Create two active campaigns of a few hundred demo contacts in all."""
    rng = random.Random(51362)  # the same demo every time
    numbers = _numbers(rng)

    # The first lead of both campaigns: a contact on both lists.
    shared = Contact.objects.create(name="Morgan Example", company="Cedar Realty")
    PhoneNumber.objects.create(
        contact=shared, number=SHARED_FIRST_NUMBER, label=PhoneNumber.Label.MOBILE
    )
    roofing = _make_contacts(160, rng, numbers)
    solar = _make_contacts(130, rng, numbers)
    _share_numbers(roofing + solar)

    campaigns = []
    for name, contacts in [
        ("Spring roofing leads", [shared, *roofing]),
        ("Solar follow-up", [shared, *solar, *roofing[:20]]),
    ]:
        campaign = Campaign.objects.create(
            name=name, status=Campaign.Status.ACTIVE, created_by=admin
        )
        Lead.objects.create(campaign=campaign, phone_number=shared.phone_numbers.get())
        _add_leads(campaign, contacts[1:])
        _past_calls(campaign, agent)
        campaigns.append(campaign)
    return campaigns
