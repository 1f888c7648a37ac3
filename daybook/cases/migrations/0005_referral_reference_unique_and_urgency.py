from django.db import migrations, models

import daybook.cases.models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_referral_reference_and_urgency"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="reference",
            field=models.CharField(
                default=daybook.cases.models.new_referral_reference, max_length=20, unique=True
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="urgency",
            field=models.CharField(
                choices=[
                    ("urgent", "Urgent"),
                    ("soon", "Soon"),
                    ("routine", "Routine"),
                    ("not_stated", "Not stated"),
                ],
                default="not_stated",
                max_length=12,
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["service", "status"], name="case_service_status"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["service", "urgency", "-created_at"], name="referral_service_urgency"
            ),
        ),
    ]
