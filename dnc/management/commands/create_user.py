import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dnc.roles import ADMINS, AGENTS

PASSWORD_VARIABLE = "DNCADMIN_PASSWORD"
GROUPS = {"admin": ADMINS, "agent": AGENTS}


class Command(BaseCommand):
    help = (
        "Create a user with the admin or agent role. The password is read from "
        f"the {PASSWORD_VARIABLE} environment variable when set, else prompted."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(GROUPS))
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, email, **options):
        User = get_user_model()
        try:
            User._meta.get_field(User.USERNAME_FIELD).clean(username, None)
        except ValidationError as exc:
            raise CommandError(
                f'Invalid username "{username}": ' + " ".join(exc.messages)
            ) from exc
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f'A user named "{username}" already exists; pick another name.'
            )
        password = os.environ.get(PASSWORD_VARIABLE) or self._prompt_password()
        user = User(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            reasons = " ".join(exc.messages)
            raise CommandError(
                f"The password was rejected: {reasons} Pick a longer, less common "
                "password and run the command again."
            ) from exc

        try:
            group = Group.objects.get(name=GROUPS[role])
        except Group.DoesNotExist as exc:
            raise CommandError(
                f'The "{GROUPS[role]}" group is missing. Run "manage.py migrate", '
                "which creates it."
            ) from exc

        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        self.stdout.write(f'Created {role} "{username}".')

    def _prompt_password(self) -> str:
        import getpass

        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except EOFError as exc:
            raise CommandError(
                f"No password given: set {PASSWORD_VARIABLE} or run in a terminal."
            ) from exc
        if first != second:
            raise CommandError("The two passwords differ; run the command again.")
        return first
