"""The append-only record of every change to the DNC list."""

from django.conf import settings
from django.db import models

from dnc.models import RemovalReason, Source


class AuditEntry(models.Model):
    """One addition to or removal from the DNC list, or one import.

    The table is append-only: a trigger made in migration 0002 rejects every
    UPDATE and DELETE, from the ORM or from raw SQL.
    """

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        ALREADY_LISTED = "already_listed", "Add requested, already listed"
        REMOVED = "removed", "Removed"
        IMPORTED = "imported", "Import"

    # Blank only for an import's summary entry, which covers many numbers.
    phone_number = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    reason = models.CharField(max_length=32, choices=RemovalReason.choices, blank=True)
    note = models.TextField(blank=True)
    # PROTECT: the table refuses UPDATE, so SET_NULL could never run; a user
    # with entries on the record is deactivated, not deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    call = models.ForeignKey(
        "campaigns.Call",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dnc_import = models.ForeignKey(
        "dnc.DncImport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    # Counts of an import's summary entry.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="audit_newest",
            ),
            models.Index("phone_number", "created_at", name="audit_number"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.phone_number}".strip()
