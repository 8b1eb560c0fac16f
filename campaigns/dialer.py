"""The campaign dialer: hands each agent the next lead that may be called."""

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Call, Campaign, Lead
from dnc.models import DncNumber, DoNotCallError

# Pending leads locked and checked against the DNC list in one round trip.
BATCH_SIZE = 20

_LISTED_AMONG = (
    f"SELECT phone_number FROM {DncNumber._meta.db_table}"  # noqa: S608
    " WHERE phone_number = ANY(%s)"
)


def listed_among(numbers) -> set[str]:
    """Return which of some E.164 numbers are on the DNC list: one indexed query."""
    with connection.cursor() as cursor:
        cursor.execute(_LISTED_AMONG, [list(numbers)])
        return {number for (number,) in cursor.fetchall()}


def next_lead(campaign: Campaign, agent) -> Lead | None:
    """Claim the campaign's next pending lead for `agent` and place its call.

    Returns the lead, now dialing, with the placed Call as `lead.call`, or None
    when the campaign is not active or has no pending lead left. Leads whose
    number is on the DNC list are marked skipped on the way; no DNC number is
    ever returned. Agents dialing the same campaign at once never get the
    same lead: each locks its candidates and skips those locked by others.
    """
    if not Campaign.objects.filter(
        pk=campaign.pk, status=Campaign.Status.ACTIVE
    ).exists():
        return None
    while True:
        with transaction.atomic():
            candidates = list(
                Lead.objects.filter(campaign=campaign, status=Lead.Status.PENDING)
                .select_related("phone_number__contact")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")[:BATCH_SIZE]
            )
            if not candidates:
                return None
            listed = listed_among({lead.phone_number.number for lead in candidates})
            skipped = []
            for lead in candidates:
                if lead.phone_number.number in listed:
                    skipped.append(lead.pk)
                    continue
                call = _place_call(lead, agent)
                if call is None:
                    # Listed after the batch was checked.
                    skipped.append(lead.pk)
                    continue
                _mark_skipped(skipped)
                lead.call = call
                return lead
            _mark_skipped(skipped)


def _place_call(lead: Lead, agent) -> Call | None:
    """Claim the lead and place its call through the pre-dial check."""
    try:
        call = Call.objects.create(
            phone_number=lead.phone_number.number,
            agent=agent,
            campaign_id=lead.campaign_id,
            contact=lead.phone_number.contact,
            lead=lead,
        )
    except DoNotCallError:
        return None
    lead.status = Lead.Status.DIALING
    lead.agent = agent
    lead.save(update_fields=["status", "agent", "updated_at"])
    return call


def _mark_skipped(lead_ids: list[int]) -> None:
    if lead_ids:
        Lead.objects.filter(pk__in=lead_ids).update(
            status=Lead.Status.SKIPPED_DNC, updated_at=timezone.now()
        )
