"""Create an editor account (staff, in the Editors group) and print its random password once."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an editor account with a random password, printed once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument("--email", default="editor@example.com")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f'The editor "{username}" already exists; its password was printed when it was '
                f"created (change it with: python manage.py changepassword {username})."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username, email, password, is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Editor account created. Log in at /admin/ as {username} "
                f"with the password: {password}\n(It is shown only this once.)"
            )
        )
