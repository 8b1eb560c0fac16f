"""Plain factory functions for the tests of the campaigns app."""

from campaigns.models import Campaign, Contact, Lead, PhoneNumber


def make_contact(name="Riley Example", *numbers, company="") -> Contact:
    contact = Contact.objects.create(name=name, company=company)
    for number in numbers:
        PhoneNumber.objects.create(contact=contact, number=number)
    return contact


def make_campaign(name="Spring leads", status=Campaign.Status.ACTIVE) -> Campaign:
    return Campaign.objects.create(name=name, status=status)


def make_lead(campaign, number, contact=None, **fields) -> Lead:
    """A lead of `campaign` for `number`, owned by `contact` or a new one."""
    if contact is None:
        contact = Contact.objects.create(name=f"Owner of {number}")
    phone, _ = PhoneNumber.objects.get_or_create(contact=contact, number=number)
    return Lead.objects.create(campaign=campaign, phone_number=phone, **fields)
