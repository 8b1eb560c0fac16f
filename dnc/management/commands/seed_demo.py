import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from campaigns.demo import seed_campaigns
from dnc.models import DncImport, DncNumber, Source
from dnc.roles import ADMINS, AGENTS

DEMO_USERS = [
    ("admin", "dnc-admin-demo", ADMINS),
    ("agent", "dnc-agent-demo", AGENTS),
]
# Area codes for the fictional 555-0100..555-0199 numbers of the demo.
DEMO_AREA_CODES = ["202", "212", "305", "415", "646", "718", "312", "617"]


def demo_numbers():
    """Yield fictional numbers, 555-0100 to 555-0199 in each demo area code."""
    for area in DEMO_AREA_CODES:
        for line in range(100, 200):
            yield f"+1{area}5550{line}"


class Command(BaseCommand):
    help = (
        "Create the demo admin and agent users and a few hundred DNC numbers. "
        "Does nothing to a database that already has the demo users."
    )

    def handle(self, *args, **options):
        if os.environ.get("DEBUG", "").lower() in ("0", "false", "no", "off"):
            self.stderr.write("Refusing to seed demo users with DEBUG off.")
            return
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Demo data exists already; nothing to do.")
            return

        with transaction.atomic():
            users = {}
            for username, password, group in DEMO_USERS:
                user = User.objects.create_user(username, password=password)
                user.groups.add(Group.objects.get_or_create(name=group)[0])
                users[username] = user
            self._seed_numbers(users["admin"])
            seed_campaigns(users["admin"], users["agent"])
        self.stdout.write(
            "Demo data ready: log in as admin / dnc-admin-demo "
            "or agent / dnc-agent-demo."
        )

    def _seed_numbers(self, admin):
        numbers = iter(demo_numbers())
        for _ in range(60):
            DncNumber.objects.add(
                next(numbers), by=admin, source=Source.MANUAL, note="Asked by email"
            )
        for _ in range(40):
            DncNumber.objects.add(next(numbers), by=None, source=Source.API)
        dnc_import = DncImport.objects.create(
            file_name="previous-dialer-export.csv",
            uploaded_by=admin,
            status=DncImport.Status.DONE,
            finished_at=timezone.now(),
        )
        for _ in range(200):
            DncNumber.objects.add(
                next(numbers), by=admin, source=Source.IMPORT, dnc_import=dnc_import
            )
        dnc_import.rows_read = dnc_import.added = 200
        dnc_import.save(update_fields=["rows_read", "added"])
