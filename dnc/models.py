"""The account-wide DNC list and the only two ways it changes: add and remove."""

from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import connection, models, transaction

from dnc.phone import to_e164
from dnc.roles import is_admin

# Advisory-lock namespace for "this phone number". Additions take the lock, and
# so does the pre-dial trigger on calls, so the two serialise on one number.
NUMBER_LOCK_NAMESPACE = 51_362


def lock_number(e164: str) -> None:
    """Take the transaction-level advisory lock on one number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [NUMBER_LOCK_NAMESPACE, e164],
        )


_IS_LISTED_SQL = "SELECT 1 FROM dnc_dncnumber WHERE phone_number = %s"


def is_listed(e164: str) -> bool:
    """Return whether an E.164 number is on the DNC list: the pre-dial check.

    Django's own cursors bind parameters on the client, so PostgreSQL plans
    the query anew each time. This runs it through a server-binding psycopg
    cursor instead, which psycopg prepares once the connection has run it
    `prepare_threshold` times (set in settings). Django's wrapper around it
    keeps query logging and execute wrappers working.
    """
    connection.ensure_connection()
    raw_cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        cursor = connection.make_debug_cursor(raw_cursor)
    else:
        cursor = connection.make_cursor(raw_cursor)
    with cursor:
        cursor.execute(_IS_LISTED_SQL, [e164])
        return cursor.fetchone() is not None


class DoNotCallError(Exception):
    """Raised when an outbound call to a number on the DNC list is attempted."""

    def __init__(self, phone_number: str):
        self.phone_number = phone_number
        super().__init__(
            f"{phone_number} is on the Do Not Call list; the call was not placed."
        )


class RemovalError(Exception):
    """A removal that was refused; the number stays on the list."""


class NotListedError(RemovalError):
    pass


class Source(models.TextChoices):
    MANUAL = "manual", "Added by hand"
    CALL_STATUS = "call_status", "Call status"
    IMPORT = "import", "Import"
    API = "api", "API"


class RemovalReason(models.TextChoices):
    CALL_MISTAKE = "call_mistake", "Marked DNC by mistake after a call"
    ADDED_MISTAKE = "added_mistake", "Added by mistake"
    EXPRESS_CONSENT = (
        "express_consent",
        "The person gave express written consent to be called",
    )
    REASSIGNED = "reassigned", "The number now belongs to a different person"
    REGISTRY_DELETION = "registry_deletion", "Deleted from the national registry"
    OTHER = "other", "Other (explain in the note)"


# The reasons a person may pick; registry deletions come only from imports.
MANUAL_REMOVAL_REASONS = [
    choice for choice in RemovalReason.choices if choice[0] != "registry_deletion"
]


@dataclass(frozen=True)
class AddResult:
    number: "DncNumber"
    created: bool


class DncNumberManager(models.Manager):
    def add(
        self,
        number: str,
        *,
        by,
        source: str,
        note: str = "",
        call=None,
        dnc_import=None,
    ) -> AddResult:
        """List a number, or record a repeated request for one already listed.

        Raises InvalidPhoneNumber for input that is not a valid number.
        """
        from audit.models import AuditEntry

        e164 = to_e164(number)
        if source not in Source.values:
            known = ", ".join(Source.values)
            raise ValueError(f"Unknown DNC source {source!r}: use one of {known}.")
        note = note.strip()
        user = by if by is not None and by.is_authenticated else None

        with transaction.atomic():
            lock_number(e164)
            listed, created = self.get_or_create(
                phone_number=e164,
                defaults={
                    "source": source,
                    "added_by": user,
                    "note": note,
                    "call": call,
                    "dnc_import": dnc_import,
                },
            )
            AuditEntry.objects.create(
                phone_number=e164,
                action=(
                    AuditEntry.Action.ADDED
                    if created
                    else AuditEntry.Action.ALREADY_LISTED
                ),
                source=source,
                note=note,
                user=user,
                call=call,
                dnc_import=dnc_import,
            )
        return AddResult(number=listed, created=created)

    def remove(self, number: str, *, by, reason: str, note: str = "") -> None:
        """Take a number off the list, with the reason on the record.

        Raises RemovalError (the number stays listed) when the user is not an
        admin, the reason is missing or unknown, "other" has no note, or the
        number is not listed (NotListedError).
        """
        from audit.models import AuditEntry

        e164 = to_e164(number)
        note = note.strip()
        if by is None or not is_admin(by):
            raise RemovalError(
                f"{e164} stays on the DNC list because only admins can remove "
                "numbers. Ask an admin to remove it."
            )
        if not reason:
            raise RemovalError(
                f"Pick a reason for removing {e164}. The reason is kept in the "
                "audit log."
            )
        if reason not in RemovalReason.values:
            raise RemovalError(
                f'"{reason}" is not a removal reason, so {e164} stays on the DNC '
                "list. Pick one of the listed reasons."
            )
        if reason == RemovalReason.OTHER and not note:
            raise RemovalError(
                f'The reason "Other" needs a note explaining why {e164} is removed.'
            )

        with transaction.atomic():
            lock_number(e164)
            listed = self.filter(phone_number=e164).first()
            if listed is None:
                raise NotListedError(
                    f"{e164} is not on the DNC list, so there is nothing to "
                    "remove. Someone may have removed it already, so reload the "
                    "page to see the current list."
                )
            listed.delete()
            AuditEntry.objects.create(
                phone_number=e164,
                action=AuditEntry.Action.REMOVED,
                source=listed.source,
                reason=reason,
                note=note,
                user=by,
            )


class DncImport(models.Model):
    """One uploaded DNC list file and its counts."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    # The uploaded file under MEDIA_ROOT while it waits for the task worker.
    stored_file = models.CharField(max_length=255, blank=True)
    # How the file was read, in words: encoding, separator, columns.
    layout = models.TextField(blank=True)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    # rows_read = blank + added + already_listed + duplicates + rejected
    #             + removed + kept + not_listed
    rows_read = models.PositiveIntegerField(default=0)
    blank = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_listed = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # Registry deletions: numbers taken off the list, numbers kept because a
    # person or the API asked for them, and numbers that were not listed.
    removed = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    not_listed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_read(self) -> int:
        if not self.bytes_total:
            return 0
        return min(100, self.bytes_read * 100 // self.bytes_total)


class DncImportRow(models.Model):
    """A row of an import that changed nothing: rejected, a repeated number, or
    a registry deletion that left its number listed (kept)."""

    class Kind(models.TextChoices):
        REJECTED = "rejected", "Rejected"
        DUPLICATE = "duplicate", "Repeated in the file"
        KEPT = "kept", "Kept on the list"

    dnc_import = models.ForeignKey(
        DncImport, on_delete=models.CASCADE, related_name="rows"
    )
    # The line number in the file; the first line is 1.
    row = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The value as the file wrote it.
    value = models.TextField()
    # The number in E.164 of a repeated or kept row; blank for a rejected row.
    phone_number = models.CharField(max_length=16, blank=True, default="")
    # The earlier row of the same number that a repeated row repeats.
    repeats_row = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField()

    class Meta:
        ordering = ["row"]
        indexes = [models.Index("dnc_import", "row", name="dnc_import_row")]

    def __str__(self):
        return f"Row {self.row}: {self.error}"


class DncNumber(models.Model):
    """A phone number, in E.164, that no outbound call may reach."""

    phone_number = models.CharField(max_length=16)
    source = models.CharField(max_length=16, choices=Source.choices)
    # The three links below record where a listing came from. They carry no
    # foreign-key constraint: PostgreSQL would check each row of a bulk import
    # at commit, which took about 7 s of a million-row import on a 2-core
    # machine. The rows they point to are kept all the same, because the audit
    # table refers to the same users, calls and imports with constraints that
    # stop their deletion.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    added_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    call = models.ForeignKey(
        "campaigns.Call",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    dnc_import = models.ForeignKey(
        DncImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="numbers",
        db_constraint=False,
        db_index=False,
    )

    objects = DncNumberManager()

    class Meta:
        verbose_name = "DNC number"
        ordering = ["-added_at", "-id"]
        constraints = [
            # A plain unique constraint: unique=True on a CharField would add a
            # second, varchar_pattern_ops index that the searches never use.
            models.UniqueConstraint("phone_number", name="dnc_number_unique"),
        ]
        indexes = [
            models.Index(
                models.F("added_at").desc(),
                models.F("id").desc(),
                name="dnc_number_newest",
            ),
            models.Index("source", "added_at", name="dnc_number_source"),
            # Partial, so that numbers without a call or an import cost nothing.
            models.Index(
                "call",
                condition=models.Q(call__isnull=False),
                name="dnc_number_call",
            ),
            models.Index(
                "dnc_import",
                condition=models.Q(dnc_import__isnull=False),
                name="dnc_number_import",
            ),
            # Digit-run search (`LIKE '%867530%'`) through trigrams.
            GinIndex(
                OpClass("phone_number", name="gin_trgm_ops"),
                name="dnc_number_digits",
            ),
        ]

    def __str__(self):
        return self.phone_number
