"""Create an account with a role: ``manage.py createuser NAME --role ROLE``."""

import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from policyreader.roles import ROLES, assign_role


class Command(BaseCommand):
    help = (
        "Create a user with a role (reader, annotator or editor). The password comes from "
        "--password, else from standard input when it is not a terminal, else from a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the user name")
        parser.add_argument("--role", required=True, help="one of: " + ", ".join(ROLES))
        parser.add_argument("--password", help="the password (visible in the shell history)")
        parser.add_argument("--email", default="", help="an email address")
        parser.add_argument(
            "--staff", action="store_true", help="also give access to the admin site"
        )

    def handle(self, *args, name, role, password, email, staff, **options):
        if role not in ROLES:
            raise CommandError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
        User = get_user_model()
        if User.objects.filter(username=name).exists():
            raise CommandError(f"A user named {name!r} exists already.")
        if password is None:
            password = self._read_password()
        if not password:
            raise CommandError("The password cannot be empty.")
        candidate = User(username=name, email=email)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("The password is refused: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            user = User.objects.create_user(name, email=email, password=password, is_staff=staff)
            assign_role(user, role)
        self.stdout.write(
            self.style.SUCCESS(f"Created {name} ({role}{', staff' if staff else ''}).")
        )

    def _read_password(self) -> str:
        stdin = sys.stdin
        if stdin is None or not stdin.isatty():
            return (stdin.readline() if stdin else "").rstrip("\r\n")
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise CommandError("The passwords do not match.")
        return first
