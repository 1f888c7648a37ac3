"""Create the demo organisations and one persona per role, idempotently, and print logins."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from daybook.accounts import services
from daybook.accounts.models import Organisation, Role, User
from daybook.casework.demo import seed_demo_casework
from daybook.incidents.demo import seed_demo_logs

DEMO_PASSWORD = "demo-daybook-2026"  # noqa: S105  (printed for the local demo only)

ORGANISATIONS = [
    ("Northshire Stalking Advocacy Service", Organisation.Kind.SUPPORT_SERVICE),
    ("Northshire Police", Organisation.Kind.POLICE_FORCE),
    ("Northshire Victim Support", Organisation.Kind.PARTNER_AGENCY),
    ("Office of the Northshire Police and Crime Commissioner", Organisation.Kind.COMMISSIONER),
]

# (role, e-mail, name, organisation name or None)
PERSONAS = [
    (Role.VICTIM, "sam@example.org", "Sam Taylor", None),
    (Role.ADVOCATE, "advocate@example.org", "Alex Morgan", ORGANISATIONS[0][0]),
    (Role.SERVICE_MANAGER, "manager@example.org", "Priya Shah", ORGANISATIONS[0][0]),
    (Role.ADMINISTRATOR, "admin@example.org", "Jordan Lee", ORGANISATIONS[0][0]),
    (Role.POLICE_LIAISON, "police@example.org", "DC Chris Evans", ORGANISATIONS[1][0]),
    (Role.PARTNER_REFERRER, "partner@example.org", "Robin Hughes", ORGANISATIONS[2][0]),
    (Role.COMMISSIONER_VIEWER, "commissioner@example.org", "Kim Walsh", ORGANISATIONS[3][0]),
]


def ensure_mfa(user: User) -> tuple[str, str]:
    """Give a demo member of staff an authenticator and recovery codes; return a key and a code."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        totp = TOTP.activate(user, generate_totp_secret()).instance
    codes = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    if codes is None:
        codes = RecoveryCodes.activate(user).instance
    unused = RecoveryCodes(codes).get_unused_codes()
    if not unused:
        codes.delete()
        unused = RecoveryCodes(RecoveryCodes.activate(user).instance).get_unused_codes()
    return decrypt(totp.data["secret"]), unused[0]


class Command(BaseCommand):
    help = "Create demo organisations and personas (safe to run again) and print how to sign in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--address", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args: Any, address: str, **options: Any) -> None:
        organisations = {}
        for name, kind in ORGANISATIONS:
            organisation = Organisation.objects.filter(name=name).first()
            organisations[name] = organisation or services.organisation_create(
                actor=None, name=name, kind=kind
            )
        rows = []
        for role, email, name, organisation_name in PERSONAS:
            user = User.objects.filter(email=email).first()
            if user is None and organisation_name is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, name=name, role=role)
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            elif user is None:
                user = services.staff_user_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    name=name,
                    role=role,
                    organisation=organisations[organisation_name or ""],
                )
            if user.is_staff_member:
                key, code = ensure_mfa(user)
                mfa = f"recovery code {code}  (or authenticator key {key})"
            else:
                mfa = "not needed (victims may turn it on)"
            rows.append((role.label, email, mfa))

        by_email = {
            user.email: user for user in User.objects.filter(email__in=[p[1] for p in PERSONAS])
        }
        service = organisations[ORGANISATIONS[0][0]]
        seed_demo_logs(
            victim=by_email["sam@example.org"],
            advocate=by_email["advocate@example.org"],
            service=service,
        )
        seed_demo_casework(
            case=by_email["sam@example.org"].owned_cases.get(),
            advocate=by_email["advocate@example.org"],
            manager=by_email["manager@example.org"],
            service=service,
        )

        write = self.stdout.write
        write("")
        write(f"Daybook is starting at {address}/")
        write(f"Every demo account's password is: {DEMO_PASSWORD}")
        write("Staff must pass two-step verification: enter the recovery code shown")
        write("(each works once; run `make run` again for a fresh one), or add the key")
        write("to an authenticator app.")
        write("")
        width = max(len(label) for label, _email, _mfa in rows)
        for label, email, mfa in rows:
            write(f"  {label:<{width}}  {email:<26}  {mfa}")
        write("")
        write("E-mails (invitations, codes) are printed in this terminal.")
        write("")
