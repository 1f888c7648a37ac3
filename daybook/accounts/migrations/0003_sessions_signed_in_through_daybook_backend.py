"""Sessions begun before sign-in went through Daybook's own backend
(daybook.accounts.backends.SignInBackend) name allauth's backend, which is no longer in
AUTHENTICATION_BACKENDS: Django would treat each as signed out. Each session still open is
pointed at the new backend instead, so nobody is signed out by the upgrade."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations
from django.utils import timezone

BACKEND_KEY = "_auth_user_backend"
OLD = "allauth.account.auth_backends.AuthenticationBackend"
NEW = "daybook.accounts.backends.SignInBackend"


def repoint(apps, schema_editor, before: str, after: str) -> None:
    session_model = apps.get_model("sessions", "Session")
    store = SessionStore()
    changed = []
    for session in session_model.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)  # an unreadable one decodes to {}
        if data.get(BACKEND_KEY) == before:
            data[BACKEND_KEY] = after
            session.session_data = store.encode(data)
            changed.append(session)
    session_model.objects.bulk_update(changed, ["session_data"], batch_size=500)


def forwards(apps, schema_editor) -> None:
    repoint(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor) -> None:
    repoint(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_privacy_settings"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
