"""PostgreSQL's GIN indexes of the samples hold the entries' facet tokens beside
their words (two columns: search_vector, facet_vector).

A facet filter was answered by the GIN index of every entry's facet tokens and
ANDed with the sample's bitmap of the words: "Kostenlos" alone is a bitmap of 42,000
entries, 6.6 ms of each statement that counted "Deutschkurs" + free in the 1/16
sample. In the sample's own index the filter reads the sample's free entries only,
in the same index scan as the words. Alternating both index sets six times over the
filtered searches of bench/scale: "Deutschkurs" + free 29 -> 20 ms, "Computerkurs" +
wheelchair 26 -> 22 ms, searches without a filter unchanged. SQLite's sample table
holds the facet tokens already (0010).
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext


def rebuilt(facets: bool) -> dict[str, list[str]]:
    statements = []
    for index, in_sample in _fulltext.POSTGRES_SAMPLE_INDEXES.items():
        statements += [
            f"DROP INDEX IF EXISTS {index}",
            _fulltext.postgres_words_of(index, in_sample, facets=facets),
        ]
    return {"postgresql": statements}


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0014_titles_by_number_of_words"),
    ]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor(rebuilt(facets=True)), _fulltext.on_vendor(rebuilt(facets=False))
        ),
    ]
