"""A report's options (the pseudonym, a VPS's answers, an SPO's necessity and prohibitions)
are sealed with the case's key. Existing rows are sealed before the plain column goes; an
erased case's reports have no key left to seal with, so their options are simply dropped.

On SQLite, `secure_delete` is turned on for the migration's connection so that the pages the
plain text leaves behind are overwritten with zeros rather than left in the file."""

import json

from django.db import migrations, models

from daybook import crypto


def _case_key(case):
    if case.wrapped_key is None or case.erased_at is not None:
        return None
    return crypto.unwrap_data_key(bytes(case.wrapped_key), case.uid)


def seal(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("PRAGMA secure_delete = ON")
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.exclude(options={}).select_related("case"):
        key = _case_key(report.case)
        if key is not None and report.options:
            text = json.dumps(report.options, ensure_ascii=False).encode("utf-8")
            report.options_sealed = crypto.seal(key, text, f"report:{report.uid}:options")
        report.options = {}
        report.save(update_fields=["options", "options_sealed"])


def unseal(apps, schema_editor):
    """Back to the plain column, for a rollback: what an erased case held stays gone."""
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.filter(options_sealed__isnull=False).select_related("case"):
        key = _case_key(report.case)
        if key is not None:
            sealed = bytes(report.options_sealed)
            opened = crypto.open_sealed(key, sealed, f"report:{report.uid}:options")
            report.options = json.loads(opened)
            report.save(update_fields=["options"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_seal_free_text"),
        ("reports", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="options_sealed",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.RunPython(seal, unseal),
        migrations.RemoveField(model_name="report", name="options"),
    ]
