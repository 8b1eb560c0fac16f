"""Contacts, campaigns and their leads, and the calls placed to them."""

from django.conf import settings
from django.db import models


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

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index("agent", "started_at", name="call_agent_started")]

    def __str__(self):
        return f"Call to {self.phone_number}"
