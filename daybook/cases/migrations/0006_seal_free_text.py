"""Free text typed into plain columns is sealed: a case's closure reason, what a consent or a
lawful basis names (an organisation, or a channel such as a phone number) and a referral's
decline reason. Existing rows are sealed before the plain columns go; the rows of an erased
case have no key left to seal with, so their plain text is simply dropped.

On SQLite, `secure_delete` is turned on for the migration's connection so that the pages the
plain text leaves behind (the dropped columns' tables are rebuilt) are overwritten with zeros
rather than left in the file's free list."""

import json

from django.db import migrations, models

from daybook import crypto


def _case_key(case):
    if case.wrapped_key is None or case.erased_at is not None:
        return None
    return crypto.unwrap_data_key(bytes(case.wrapped_key), case.uid)


def _seal(key, value, associated):
    return crypto.seal(key, json.dumps(value, ensure_ascii=False).encode("utf-8"), associated)


def _open(key, sealed, associated):
    return json.loads(crypto.open_sealed(key, bytes(sealed), associated))


def _secure_delete(schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("PRAGMA secure_delete = ON")


def seal(apps, schema_editor):
    _secure_delete(schema_editor)
    Case = apps.get_model("cases", "Case")
    Referral = apps.get_model("cases", "Referral")
    for case in Case.objects.exclude(closure_reason=""):
        key = _case_key(case)
        case.closure_reason_sealed = (
            _seal(key, case.closure_reason, f"case:{case.uid}:closure_reason") if key else None
        )
        case.closure_reason = ""
        case.save(update_fields=["closure_reason", "closure_reason_sealed"])
    for label in ("Consent", "LawfulBasis"):
        model = apps.get_model("cases", label)
        for record in model.objects.exclude(detail="").select_related("case"):
            key = _case_key(record.case)
            if key is not None:
                associated = f"cases.{label.lower()}:{record.uid}"
                opened = _open(key, record.sealed, associated) if record.sealed else {}
                record.sealed = _seal(key, {**opened, "detail": record.detail}, associated)
            record.detail = ""
            record.save(update_fields=["detail", "sealed"])
    for referral in Referral.objects.exclude(decline_reason=""):
        if referral.wrapped_key is not None:
            key = crypto.unwrap_data_key(bytes(referral.wrapped_key), f"referral:{referral.uid}")
            referral.decline_reason_sealed = _seal(
                key, referral.decline_reason, f"referral:{referral.uid}:decline_reason"
            )
        referral.decline_reason = ""
        referral.save(update_fields=["decline_reason", "decline_reason_sealed"])


def unseal(apps, schema_editor):
    """Back to the plain columns, for a rollback: what an erased case held stays gone."""
    Case = apps.get_model("cases", "Case")
    Referral = apps.get_model("cases", "Referral")
    for case in Case.objects.filter(closure_reason_sealed__isnull=False):
        key = _case_key(case)
        if key is not None:
            case.closure_reason = _open(
                key, case.closure_reason_sealed, f"case:{case.uid}:closure_reason"
            )
            case.save(update_fields=["closure_reason"])
    for label in ("Consent", "LawfulBasis"):
        model = apps.get_model("cases", label)
        for record in model.objects.filter(sealed__isnull=False).select_related("case"):
            key = _case_key(record.case)
            if key is not None:
                associated = f"cases.{label.lower()}:{record.uid}"
                record.detail = _open(key, record.sealed, associated).get("detail", "")
                record.save(update_fields=["detail"])
    for referral in Referral.objects.filter(decline_reason_sealed__isnull=False):
        if referral.wrapped_key is not None:
            key = crypto.unwrap_data_key(bytes(referral.wrapped_key), f"referral:{referral.uid}")
            referral.decline_reason = _open(
                key, referral.decline_reason_sealed, f"referral:{referral.uid}:decline_reason"
            )
            referral.save(update_fields=["decline_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_referral_reference_unique_and_urgency"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="closure_reason_sealed",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="decline_reason_sealed",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.RunPython(seal, unseal),
        migrations.RemoveField(model_name="case", name="closure_reason"),
        migrations.RemoveField(model_name="consent", name="detail"),
        migrations.RemoveField(model_name="lawfulbasis", name="detail"),
        migrations.RemoveField(model_name="referral", name="decline_reason"),
    ]
