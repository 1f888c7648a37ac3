from django.db import migrations, models


class Migration(migrations.Migration):
    """Records already written were hashed over their whole body (version 1) and stay so;
    new records commit to their free text (version 2)."""

    dependencies = [("incidents", "0003_checkpoint")]

    operations = [
        migrations.AddField(
            model_name="chainrecord",
            name="version",
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="chainrecord",
            name="version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
    ]
