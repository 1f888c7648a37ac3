"""The senders a person chose as the stalker are sealed with the case's key, out of the plain
`options` column. An erased case's imports have no key left to seal with: the names go."""

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
    ImportJob = apps.get_model("imports", "ImportJob")
    for job in ImportJob.objects.select_related("case"):
        if "stalkers" not in job.options:
            continue
        stalkers = job.options.pop("stalkers")
        key = _case_key(job.case)
        if key is not None:
            text = json.dumps(stalkers, ensure_ascii=False).encode("utf-8")
            job.stalkers_sealed = crypto.seal(key, text, f"import:{job.uid}:stalkers")
        job.save(update_fields=["options", "stalkers_sealed"])


def unseal(apps, schema_editor):
    """Back into `options`, for a rollback: what an erased case held stays gone."""
    ImportJob = apps.get_model("imports", "ImportJob")
    for job in ImportJob.objects.filter(stalkers_sealed__isnull=False).select_related("case"):
        key = _case_key(job.case)
        if key is not None:
            sealed = bytes(job.stalkers_sealed)
            opened = crypto.open_sealed(key, sealed, f"import:{job.uid}:stalkers")
            job.options = {**job.options, "stalkers": json.loads(opened)}
            job.save(update_fields=["options"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_seal_free_text"),
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="stalkers_sealed",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.RunPython(seal, unseal),
    ]
