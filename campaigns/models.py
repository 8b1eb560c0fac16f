"""Contacts, campaigns and their leads, and the calls placed to them.

`Call` carries the pre-dial check: no row of it can be written for a number on
the DNC list, through the ORM or around it. A database trigger takes the
number's advisory lock and checks the list on every insert and number change.
Call.save() (and so create()), bulk_create() and QuerySet.update() turn its
error into DoNotCallError, while raw SQL gets the database error itself
(SQLSTATE DNC01), which refused_number() recognises.
"""

import logging
import re
from contextlib import contextmanager

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import DatabaseError, models, transaction
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from django.utils import timezone

from dnc.models import (
    DncNumber,
    DoNotCallError,
    Source,
)
from dnc.phone import to_e164

logger = logging.getLogger("campaigns")

# The SQLSTATE that the pre-dial trigger raises. User-defined: no PostgreSQL
# error class starts with "DN". The number refused is the error's DETAIL.
PRE_DIAL_SQLSTATE = "DNC01"

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def number_owners(number_field: str = "phone_number") -> ArraySubquery:
    """Annotate each row with the contacts that own its number.

    The rows get a list of {"name", "company"} dicts in the same query, so a
    page of numbers costs no extra query however many rows it shows.
    """
    owners = (
        PhoneNumber.objects.filter(number=OuterRef(number_field))
        .order_by("contact__name", "contact_id")
        .values(owner=JSONObject(name="contact__name", company="contact__company"))
    )
    return ArraySubquery(owners)


class Contact(models.Model):
    """A lead: a person or business that may own several phone numbers."""

    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class PhoneNumber(models.Model):
    """One of a contact's numbers, in E.164; several contacts may share one."""

    class Label(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        HOME = "home", "Home"
        WORK = "work", "Work"
        OTHER = "other", "Other"

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="phone_numbers"
    )
    number = models.CharField(max_length=16, db_index=True)
    label = models.CharField(max_length=16, choices=Label.choices, default="other")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                "contact", "number", name="phone_number_unique_per_contact"
            ),
        ]

    def __str__(self):
        return f"{self.number} ({self.get_label_display()})"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"

    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Lead(models.Model):
    """One contact phone number to dial in one campaign."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DIALING = "dialing", "Dialing"
        CALLED = "called", "Called"
        SKIPPED_DNC = "skipped_dnc", "Skipped: DNC"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="leads"
    )
    phone_number = models.ForeignKey(
        PhoneNumber, on_delete=models.CASCADE, related_name="leads"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # The agent the dialer handed the lead to.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                "campaign", "phone_number", name="lead_unique_per_campaign"
            ),
        ]
        indexes = [
            # The dialer's scan: the oldest pending lead of one campaign.
            models.Index(
                "campaign",
                "id",
                condition=models.Q(status="pending"),
                name="lead_pending",
            ),
            models.Index("campaign", "status", name="lead_campaign_status"),
        ]

    def __str__(self):
        return f"Lead {self.pk} of campaign {self.campaign_id}"


def canonical_number(value: str) -> str:
    """Return a call's number in E.164, the only form the DNC list matches.

    A value already in E.164 is taken as it is, which keeps parsing off the
    dialer's path. Raises InvalidPhoneNumber for anything else not valid.
    """
    if _E164.fullmatch(value):
        return value
    return to_e164(value)


def refused_number(exc: BaseException) -> str | None:
    """Return the number when a database error is the pre-dial trigger's refusal.

    Raw SQL that inserts or re-targets a call gets the database error itself
    (django.db.DatabaseError, its cause a psycopg error with SQLSTATE DNC01);
    this separates it from other errors.
    """
    cause = exc.__cause__ if isinstance(exc, DatabaseError) else exc
    if getattr(cause, "sqlstate", None) != PRE_DIAL_SQLSTATE:
        return None
    return cause.diag.message_detail


def _record_blocked(phone_number: str, agent_id, campaign_id) -> None:
    logger.warning(
        "Blocked a call to %s on the DNC list (agent %s, campaign %s)",
        phone_number,
        agent_id,
        campaign_id,
    )
    BlockedCall.objects.create(
        phone_number=phone_number, agent_id=agent_id, campaign_id=campaign_id
    )


@contextmanager
def _refusal_as_error(calls=()):
    """Turn the pre-dial trigger's refusal into DoNotCallError.

    The write runs in a savepoint, so that a refusal leaves the caller's
    transaction usable, as Call.save() does, and the block can be recorded.
    """
    try:
        with transaction.atomic():
            yield
    except DatabaseError as exc:
        number = refused_number(exc)
        if number is None:
            raise
        call = next((c for c in calls if c.phone_number == number), None)
        _record_blocked(
            number,
            call.agent_id if call else None,
            call.campaign_id if call else None,
        )
        raise DoNotCallError(number) from exc


class CallQuerySet(models.QuerySet):
    """Bulk writes go around Call.save(), so the trigger checks them instead."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for call in objs:
            call.phone_number = canonical_number(call.phone_number)
        with _refusal_as_error(objs):
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        if isinstance(kwargs.get("phone_number"), str):
            kwargs["phone_number"] = canonical_number(kwargs["phone_number"])
        with _refusal_as_error():
            return super().update(**kwargs)

    update.alters_data = True


class Call(models.Model):
    """One outbound call. Creating one is the only way to place a call."""

    class Status(models.TextChoices):
        ANSWERED = "answered", "Answered"
        NO_ANSWER = "no_answer", "No answer"
        BUSY = "busy", "Busy"
        VOICEMAIL = "voicemail", "Left voicemail"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        CALLBACK = "callback", "Call back later"
        NOT_INTERESTED = "not_interested", "Not interested"
        DNC = "dnc", "DNC: do not call again"

    phone_number = models.CharField(max_length=16)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index("agent", "started_at", name="call_agent_started")]
        constraints = [
            # The DNC list is matched on E.164 only; another form would pass.
            models.CheckConstraint(
                condition=models.Q(phone_number__regex=r"^\+[1-9][0-9]{1,14}$"),
                name="call_number_e164",
            ),
        ]

    def __str__(self):
        return f"Call to {self.phone_number}"

    def save(self, *args, **kwargs):
        """Place the call, unless its number is on the DNC list.

        Raises DoNotCallError (nothing is written) for a listed number, and
        InvalidPhoneNumber for a value that is not a phone number.
        """
        if not self._state.adding and (
            self.phone_number == getattr(self, "_checked_number", None)
        ):
            super().save(*args, **kwargs)
            return

        self.phone_number = canonical_number(self.phone_number)
        # The pre-dial trigger takes the number's lock, which waits for an
        # addition in progress, and checks the list. A second check here
        # would cost the same lock and lookup again.
        with _refusal_as_error([self]):
            super().save(*args, **kwargs)
        self._checked_number = self.phone_number

    def set_status(self, status: str, *, by):
        """Record how the call ended; the status DNC lists the number dialled.

        Returns the DNC list's AddResult for the status DNC, else None.
        """
        with transaction.atomic():
            self.status = status
            self.ended_at = self.ended_at or timezone.now()
            self.save(update_fields=["status", "ended_at"])
            if self.lead_id:
                Lead.objects.filter(pk=self.lead_id).update(
                    status=Lead.Status.CALLED, updated_at=timezone.now()
                )
            if status != self.Status.DNC:
                return None
            # Only this number: the contact's other numbers stay callable.
            return DncNumber.objects.add(
                self.phone_number, by=by, source=Source.CALL_STATUS, call=self
            )

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        call = super().from_db(db, field_names, values, **kwargs)
        call._checked_number = call.__dict__.get("phone_number")
        return call


class BlockedCall(models.Model):
    """A call attempt that the pre-dial check refused."""

    phone_number = models.CharField(max_length=16)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="blocked_calls",
    )
    attempted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index("campaign", name="blocked_call_campaign")]

    def __str__(self):
        return f"Blocked call to {self.phone_number}"
