"""Search entries hold what a hit shows: an offer's summary, the borough, and
whether it is free or example data.

A results page read these for its 20 hits in three more statements (the tags,
the offers, the providers): about 2 ms of a PostgreSQL page, and the map's list
did the same for up to 500 hits. The index entry now carries them, as it
carries the title and the next date.

The columns are added with a constant default by plain ``ADD COLUMN`` on both
databases. Django's own ``AddField`` would rebuild the table on SQLite, which
drops the triggers and the expression index the full-text tables depend on.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

COLUMNS = {
    "summary": ("varchar(500)", "''"),
    "borough": ("varchar(100)", "''"),
    "is_free": ("boolean", "false"),
    "is_example": ("boolean", "false"),
}
ADD = [
    f"ALTER TABLE catalog_searchentry ADD COLUMN {name} {kind} NOT NULL DEFAULT {default}"
    for name, (kind, default) in COLUMNS.items()
]
DROP = [f"ALTER TABLE catalog_searchentry DROP COLUMN {name}" for name in COLUMNS]


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """What indexing now writes, for the entries written before."""
    SearchEntry = apps.get_model("catalog", "SearchEntry")
    Offer = apps.get_model("catalog", "Offer")
    Provider = apps.get_model("catalog", "Provider")
    SearchTag = apps.get_model("catalog", "SearchTag")
    offer = Offer.objects.filter(pk=OuterRef("offer_id"))
    tags = SearchTag.objects.filter(entry_id=OuterRef("pk"))
    SearchEntry.objects.filter(kind="offer").update(
        summary=Coalesce(Subquery(offer.values("summary")[:1]), Value("")),
        is_free=Exists(tags.filter(facet="cost", value="free")),
        is_example=Exists(offer.filter(Q(is_example=True) | Q(provider__is_example=True))),
    )
    SearchEntry.objects.filter(kind="institution").update(
        is_example=Exists(Provider.objects.filter(pk=OuterRef("provider_id"), is_example=True))
    )
    borough = tags.filter(facet="borough").values("value")[:1]
    SearchEntry.objects.update(borough=Coalesce(Subquery(borough), Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_postgresql_indexes_the_words_of_a_small_sample"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="summary",
                    field=models.CharField(blank=True, default="", max_length=500),
                ),
                migrations.AddField(
                    model_name="searchentry",
                    name="borough",
                    field=models.CharField(blank=True, default="", max_length=100),
                ),
                migrations.AddField(
                    model_name="searchentry",
                    name="is_free",
                    field=models.BooleanField(default=False),
                ),
                migrations.AddField(
                    model_name="searchentry",
                    name="is_example",
                    field=models.BooleanField(default=False),
                ),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
