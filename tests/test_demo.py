from django.core.management import call_command

from daybook.accounts.models import Organisation, User
from daybook.incidents.models import Entry
from daybook.incidents.verify import verify_case
from daybook.insights.models import EscalationAlert


def test_demo_data_is_created_once_and_prints_every_login(
    db, capsys, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert Organisation.objects.count() == 4
    assert set(Organisation.objects.values_list("kind", flat=True)) == {
        "support_service",
        "police_force",
        "partner_agency",
        "commissioner",
    }
    assert User.objects.count() == 7
    assert {user.role for user in User.objects.all()} == {
        "victim",
        "advocate",
        "service_manager",
        "administrator",
        "police_liaison",
        "partner_referrer",
        "commissioner_viewer",
    }
    for user in User.objects.all():
        assert user.email in first and user.email in second
    assert first.count("  recovery code ") == 6
    assert Entry.objects.count() == 4
    sam = User.objects.get(email="sam@example.org")
    assert verify_case(sam.owned_cases.get()).ok
    # The advocate finds an escalation to look at: the recent first threat.
    assert EscalationAlert.objects.filter(case=sam.owned_cases.get(), kind="threat").exists()
