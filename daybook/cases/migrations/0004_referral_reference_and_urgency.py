from django.db import migrations, models

import daybook.cases.models


def give_each_referral_a_reference(apps, schema_editor) -> None:
    Referral = apps.get_model("cases", "Referral")
    for referral in Referral.objects.filter(reference__isnull=True).only("pk"):
        referral.reference = daybook.cases.models.new_referral_reference()
        referral.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_statistics_indexes"),
    ]

    operations = [
        # Added empty first: one default computed once would give every existing row the
        # same reference. Made unique in the next migration, outside this one's transaction
        # of row updates.
        migrations.AddField(
            model_name="referral",
            name="reference",
            field=models.CharField(max_length=20, null=True),
        ),
        migrations.RunPython(give_each_referral_a_reference, migrations.RunPython.noop),
    ]
