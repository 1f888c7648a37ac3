"""An order's date made, and its breaches through a model of their own that names the
condition breached. Breaches recorded before keep their links, with the condition not stated."""

import django.db.models.deletion
from django.db import migrations, models


def copy_breaches(apps, schema_editor):
    ProtectiveOrder = apps.get_model("cases", "ProtectiveOrder")
    OrderBreach = apps.get_model("cases", "OrderBreach")
    linked = ProtectiveOrder.breaches.through.objects.values_list("protectiveorder_id", "entry_id")
    OrderBreach.objects.bulk_create(
        OrderBreach(protectiveorder_id=order, entry_id=entry, condition=None)
        for order, entry in linked.iterator()
    )


def copy_back(apps, schema_editor):
    ProtectiveOrder = apps.get_model("cases", "ProtectiveOrder")
    OrderBreach = apps.get_model("cases", "OrderBreach")
    Through = ProtectiveOrder.breaches.through
    pairs = set(OrderBreach.objects.values_list("protectiveorder_id", "entry_id"))
    Through.objects.bulk_create(
        Through(protectiveorder_id=order, entry_id=entry) for order, entry in sorted(pairs)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_seal_free_text"),
        ("incidents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="protectiveorder",
            name="made_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="OrderBreach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("condition", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="incidents.entry"
                    ),
                ),
                (
                    "protectiveorder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="cases.protectiveorder"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("protectiveorder", "entry", "condition"), name="order_breach_once"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("condition__isnull", True)),
                        fields=("protectiveorder", "entry"),
                        name="order_breach_unstated_once",
                    ),
                ],
            },
        ),
        migrations.RunPython(copy_breaches, copy_back),
        migrations.RemoveField(model_name="protectiveorder", name="breaches"),
        migrations.AddField(
            model_name="protectiveorder",
            name="breaches",
            field=models.ManyToManyField(
                blank=True,
                related_name="order_breaches",
                through="cases.OrderBreach",
                to="incidents.entry",
            ),
        ),
    ]
