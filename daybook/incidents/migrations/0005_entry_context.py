"""Imported messages kept only as context (not the other person's: the person's own replies,
someone else's) get a status of their own, so they are never counted as incidents, occasions
or pattern data. Existing imported entries are read from their first chain record (with the
case's key) to find which they are; an erased case has no key, and nothing left to count."""

import json

from django.db import migrations, models

from daybook import crypto


def _case_key(case):
    if case.wrapped_key is None or case.erased_at is not None:
        return None
    return crypto.unwrap_data_key(bytes(case.wrapped_key), case.uid)


def mark_context(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    ChainRecord = apps.get_model("incidents", "ChainRecord")
    Entry = apps.get_model("incidents", "Entry")
    keys = {}
    context = []
    # Each imported entry's first record, in one pass (the others only amend what it says).
    firsts = ChainRecord.objects.filter(
        kind="entry", entry__status="logged", entry__recorded_how="import"
    ).values_list("case_id", "entry_id", "rid", "body_sealed")
    for case_id, entry_id, rid, sealed in firsts.iterator(chunk_size=500):
        if case_id not in keys:
            keys[case_id] = _case_key(Case.objects.get(pk=case_id))
        if keys[case_id] is None:
            continue
        body = json.loads(crypto.open_sealed(keys[case_id], bytes(sealed), f"chain:{rid}:body"))
        source = body.get("source")
        if isinstance(source, dict) and source.get("from_stalker") is False:
            context.append(entry_id)
    for start in range(0, len(context), 500):
        Entry.objects.filter(pk__in=context[start : start + 500]).update(status="context")


def unmark_context(apps, schema_editor):
    apps.get_model("incidents", "Entry").objects.filter(status="context").update(status="logged")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_chainrecord_version")]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("logged", "In the log"),
                    ("context", "Context"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=12,
            ),
        ),
        migrations.RunPython(mark_context, unmark_context),
    ]
