"""The words of the search index, for typo correction and compound splitting.

Both rules ask the same question, "does the index know this word?", so they
share one look-up: every candidate of a query goes to the database in one
``IN`` query.
"""

from collections.abc import Iterable
from difflib import get_close_matches
from typing import Any

from django.db import connection

from lernstadt.catalog.models import SearchWord
from lernstadt.catalog.text import stem
from lernstadt.lib.timed_cache import TimedCache

LETTERS = "abcdefghijklmnopqrstuvwxyz"
TYPO_MIN_LENGTH = 5  # shorter words have too many neighbours one edit away
COMPOUND_MIN_PART = 3
COMPOUND_LIMIT = 60  # alternatives one word may add: keeps the full-text query small
# Joints between the parts of a German compound: Bewerbung-s-training, Kind-er-garten.
LINKING = ("", "s", "es", "n", "en", "e", "er")
# Endings that turn a stem-like head into a word: "schwimm" + "en" = "schwimmen".
HEAD_ENDINGS = ("", "e", "en", "n")


# A prefix that stands for more stems than this is searched as a prefix.
LEXEMES_PER_PREFIX = 64
# Each prefix's stems (None: more than LEXEMES_PER_PREFIX), for 10 s: another process
# may that long expand a prefix without a stem new in the index (this process
# forgets at once, see remember); at most 10,000 prefixes.
LEXEMES: TimedCache[str, tuple[str, ...] | None] = TimedCache(ttl=10.0, most=10_000)


def remember(words: Iterable[str]) -> None:
    """Add words to the vocabulary (existing ones are kept)."""
    stems = {word[:100]: stem(word)[:100] for word in words}
    rows = [SearchWord(word=w, stem=s, stem_reversed=s[::-1]) for w, s in stems.items()]
    SearchWord.objects.bulk_create(rows, ignore_conflicts=True)
    forget_lexemes()


def forget_lexemes() -> None:
    """Make the next search look up the stems of its prefixes again."""
    LEXEMES.forget()


def lexemes(prefixes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The indexed stems starting with each prefix, for the prefixes that stand for
    at most LEXEMES_PER_PREFIX of them (PostgreSQL searches these as whole
    stems), in one query for the prefixes not asked for in the last seconds."""
    known = LEXEMES.get_many(prefixes, _stems_of)
    return {prefix: stems for prefix, stems in known.items() if stems is not None}


def _stems_of(prefixes: list[str]) -> list[tuple[str, ...] | None]:
    found: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
    for prefix, stem_ in _stems_starting_with(prefixes):
        found[prefix].append(stem_)
    return [
        tuple(found[prefix]) if len(found[prefix]) <= LEXEMES_PER_PREFIX else None
        for prefix in prefixes
    ]


def _stems_starting_with(prefixes: list[str]) -> list[tuple[str, str]]:
    """(prefix, stem) of up to one more than LEXEMES_PER_PREFIX stems per prefix."""
    # One range scan of the stem index per prefix, in one statement (Django's union
    # cannot limit its parts on SQLite); every value is a parameter.
    one = (
        "SELECT %s, stem FROM (SELECT DISTINCT stem FROM catalog_searchword "  # noqa: S608
        f"WHERE stem >= %s AND stem < %s ORDER BY stem LIMIT {LEXEMES_PER_PREFIX + 1:d}) s"
    )
    params = [value for p in prefixes for value in (p, *_range_of(p))]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([one] * len(prefixes)), params)
        return cursor.fetchall()


def known(candidates: Iterable[str]) -> set[str]:
    """The candidates that occur as words in the index."""
    wanted = list(set(candidates))
    return set(SearchWord.objects.filter(word__in=wanted).values_list("word", flat=True))


def _range_of(prefix: str) -> tuple[str, str]:
    """The values starting with ``prefix``: from it (included) to the bound (excluded)."""
    return prefix, prefix + "\uffff"


def _starting_with(field: str, prefix: str) -> dict[str, Any]:
    """A filter for values of ``field`` that start with ``prefix``, as a range an index can scan."""
    low, high = _range_of(prefix)
    return {f"{field}__gte": low, f"{field}__lt": high}


def known_prefix(prefix: str) -> bool:
    """Whether any indexed word starts with ``prefix``."""
    return SearchWord.objects.filter(**_starting_with("word", prefix)).exists()


def compounds_ending_in(stem_: str, limit: int = COMPOUND_LIMIT) -> list[str]:
    """Stems of indexed compounds whose last part is ``stem_``: "chor" -> ["kinderchor", ...].

    German puts the head of a compound last, so a Kinderchor is a Chor; the
    head in front must be a part of its own (three letters or more). Only words
    of letters are compounds: "100116" is a school number, not "100" and "116".
    """
    if not stem_.isalpha():
        return []
    backwards = stem_[::-1]
    # In index order: the same compounds on both databases when there are more.
    rows = SearchWord.objects.filter(**_starting_with("stem_reversed", backwards))
    rows = rows.order_by("stem_reversed")
    stems = {
        reversed_[::-1]
        for reversed_ in rows.values_list("stem_reversed", flat=True)[: limit * 4]
        if len(reversed_) >= len(backwards) + COMPOUND_MIN_PART
    }
    return sorted(stems, key=lambda s: (len(s), s))[:limit]


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return (deletes | transposes | replaces | inserts) - {word}


def typo_candidates(word: str) -> set[str]:
    """What ``word`` could be one edit away, if it is long enough to guess."""
    if len(word) < TYPO_MIN_LENGTH or word.isdigit():
        return set()
    return one_edit_away(word)


def compound_splits(word: str) -> list[tuple[str, str, str]]:
    """Possible (head, tail, head spelled as a word) splits of a German compound.

    "deutschkurs" -> ("deutsch", "kurs", "deutsch"); "schwimmkurs" ->
    ("schwimm", "kurs", "schwimmen"). Which of them are real is decided by
    the vocabulary. Words with digits are not split (see compounds_ending_in).
    """
    if not word.isalpha():
        return []
    splits = []
    for cut in range(COMPOUND_MIN_PART, len(word) - COMPOUND_MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        for joint in LINKING:
            if joint and not head.endswith(joint):
                continue
            base = head[: len(head) - len(joint)] if joint else head
            if len(base) < COMPOUND_MIN_PART:
                continue
            splits += [(base, tail, base + ending) for ending in HEAD_ENDINGS]
    return splits


def split_compound(
    splits: list[tuple[str, str, str]], vocabulary: set[str]
) -> tuple[str, str] | None:
    """The best of a word's ``compound_splits`` into two known words: the longest
    tail wins, since the last part of a German compound is its head noun."""
    found = [
        (head, tail)
        for head, tail, spelled in splits
        if spelled in vocabulary and tail in vocabulary
    ]
    if not found:
        return None
    return max(found, key=lambda pair: (len(pair[1]), -len(pair[0])))


def closest(word: str, limit: int = 1) -> list[str]:
    """Indexed words nearest to ``word`` (for "did you mean"), among words with its first letter."""
    if not word:
        return []
    rows = SearchWord.objects.filter(**_starting_with("word", word[0])).values_list(
        "word", flat=True
    )
    return get_close_matches(word, list(rows[:20000]), n=limit, cutoff=0.75)
