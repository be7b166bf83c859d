import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Boundary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("geometry", models.JSONField(verbose_name="Geometrie")),
                ("source", models.CharField(max_length=500, verbose_name="Quelle")),
                (
                    "attribution",
                    models.CharField(blank=True, max_length=300, verbose_name="Namensnennung"),
                ),
                (
                    "vintage",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="Gebietsstand (Jahr)"
                    ),
                ),
                (
                    "area",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="boundary",
                        to="monitoring.area",
                        verbose_name="Gebiet",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="monitoring.importrun",
                        verbose_name="Importlauf",
                    ),
                ),
            ],
            options={
                "verbose_name": "Gebietsgrenze",
                "verbose_name_plural": "Gebietsgrenzen",
                "ordering": ["area__code"],
            },
        ),
    ]
