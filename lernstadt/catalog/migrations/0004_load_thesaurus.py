"""Load the thesaurus shipped with lernstadt (catalog/thesaurus_de.txt) once."""

from pathlib import Path

from django.db import migrations

THESAURUS = Path(__file__).resolve().parents[1] / "thesaurus_de.txt"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    synonym = apps.get_model("catalog", "Synonym")
    for line in THESAURUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            synonym.objects.get_or_create(terms=line.strip())


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_vocabulary_thesaurus_unmet")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
