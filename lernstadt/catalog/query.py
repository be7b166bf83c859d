"""What a citizen typed, as a boolean expression of word stems for the full-text index.

Each general rule adds alternatives, never special cases:

- every word is searched as the prefix of its fully reduced Snowball stem
  (inflection, plurals: "Gymnasien" finds "Gymnasium");
- umlauts are spelled out on both sides (:mod:`lernstadt.catalog.text`);
- a phrase of the thesaurus stands for every term of its group ("VHS" finds
  "Volkshochschule");
- a compound also matches its two parts ("Deutschkurs" finds "Deutsch-Kurs"),
  and two neighbouring words also match their compound ("Deutsch Kurs" finds
  "Deutschkurs");
- a word of five letters or more that the index does not know also matches the
  indexed words one edit away ("gymnasuim" finds "Gymnasium").

The expression compiles to FTS5 syntax (SQLite) and to a tsquery (PostgreSQL).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from math import comb

from lernstadt.catalog import text, vocabulary
from lernstadt.catalog.models import Synonym
from lernstadt.lib.timed_cache import TimedCache

# A query of many words relaxes to "all words but k" only while there are at most
# this many ways to choose them (of seven words: six, then any one).
MOST_COMBINATIONS = 20


@dataclass(frozen=True)
class Term:
    """Entries with a word starting with this stem (in their own text only, not in
    vocabulary labels, when ``text_only``); with a title word of exactly this stem,
    when ``title_word``."""

    stem: str
    text_only: bool = False
    title_word: bool = False


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class EveryClause(AllOf):
    """Entries with every one of several clauses (a clause: one typed word and its
    alternatives). PostgreSQL asks each clause apart (search._words_match)."""


@dataclass(frozen=True)
class SomeClauses(AnyOf):
    """Entries with any of several sets of clauses: most of the typed words."""


Node = Term | AllOf | AnyOf


@dataclass
class ParsedQuery:
    """The expression to search for, and what the citizen typed, word by word."""

    words: list[str]
    clauses: list[Node] = field(default_factory=list)
    corrections: dict[str, list[str]] = field(default_factory=dict)

    def every_clause(self) -> Node:
        return every_clause(self.clauses)

    def any_term(self) -> Node:
        """Entries with any single term of the query, compound parts included."""
        return _combine(AnyOf, [t for clause in self.clauses for t in terms(clause)])

    def fewer_clauses(self) -> list[Node]:
        """Ever wider expressions, for when few entries match every clause: entries with
        every clause but one, but two, ... (while there are at most
        MOST_COMBINATIONS ways to leave them out), and last with any single term."""
        n = len(self.clauses)
        kept = [k for k in range(n - 1, 0, -1) if comb(n, k) <= MOST_COMBINATIONS]
        levels = [self._any_clauses(k) for k in kept]
        return [*levels, self.any_term()]

    def _any_clauses(self, k: int) -> Node:
        """Entries with any ``k`` of the clauses."""
        kept = combinations(self.clauses, k)
        return _combine(SomeClauses, [_combine(EveryClause, list(some)) for some in kept])

    def typed_in_title(self) -> Node:
        """Entries whose title holds every word as typed: whole words, no compounds,
        synonyms or typos. A subset of the entries with every clause, since each
        clause keeps its typed word, and small even for a broad word."""
        return _combine(AllOf, [title_word(word) for word in self.words])


def every_clause(clauses: list[Node]) -> Node:
    """Entries with every one of the clauses."""
    return _combine(EveryClause, clauses)


def title_word(word: str) -> Node:
    """A title word that is ``word`` or one of its stems ("kurse", "kurs", "kur"), so
    "Kurs" finds "Kurse" but not "Kürten", as the prefix "kur" would. Only forms
    under the word's prefix term count, so these entries match the query too."""
    forms, reduced = [word], text.stem(word)
    while reduced not in forms and len(reduced) >= 2:
        forms.append(reduced)
        reduced = text.stem(reduced)
    prefix = text.query_stem(word)
    words: list[Node] = [Term(f, title_word=True) for f in forms if f.startswith(prefix)]
    return _combine(AnyOf, words)


def terms(node: Node) -> list[Term]:
    """Every term of the expression."""
    if isinstance(node, Term):
        return [node]
    return [t for part in node.parts for t in terms(part)]


def _combine(kind: type[AllOf] | type[AnyOf], parts: list[Node]) -> Node:
    unique = tuple(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else kind(unique)


def term(word: str) -> Term:
    return Term(text.query_stem(word))


def phrase(words: list[str]) -> Node:
    return _combine(AllOf, [term(w) for w in words])


# --- the thesaurus -------------------------------------------------------------


# Another process may search with an older thesaurus for a minute.
THESAURUS: TimedCache[None, list[list[list[str]]]] = TimedCache(ttl=60.0, most=1)


def thesaurus() -> list[list[list[str]]]:
    """Every synonym group as a list of terms, each term as its query words.

    Read once a minute per process (and at once after an edit in this process),
    so a search does not ask the database for it each time.
    """
    return THESAURUS.get(None, _read_thesaurus)


def _read_thesaurus(_: None) -> list[list[list[str]]]:
    groups = []
    for synonym in Synonym.objects.all():
        terms = [text.query_words(t) for t in synonym.term_list]
        groups.append([t for t in terms if t])
    return groups


def forget_thesaurus() -> None:
    """Make the next search read the thesaurus again (called when staff edit it)."""
    THESAURUS.forget()
    forget_parsed()


def _thesaurus_match(
    words: list[str], start: int, groups: list[list[list[str]]]
) -> tuple[int, Node] | None:
    """The longest thesaurus term starting at ``words[start]``, as (length, alternatives)."""
    best: tuple[int, Node] | None = None
    for group in groups:
        for candidate in group:
            end = start + len(candidate)
            if words[start:end] == candidate and (best is None or len(candidate) > best[0]):
                best = (len(candidate), _combine(AnyOf, [phrase(t) for t in group]))
    return best


# --- parsing -------------------------------------------------------------------


# Queries as parsed, for 10 s: a results page, its next page, a facet clicked and
# the API ask for the same words, and parsing asks the database each time. Another
# process may parse as before the index or thesaurus changed that long (this one
# forgets at once); at most 1,000 queries.
PARSED: TimedCache[str, ParsedQuery] = TimedCache(ttl=10.0, most=1_000)


def parse(query: str) -> ParsedQuery:
    """Turn a query into clauses that all must hold (each a set of alternatives),
    as parsed in the last seconds (a copy: callers may change it)."""
    parsed = PARSED.get(query, _parse)
    corrections = {word: list(fixes) for word, fixes in parsed.corrections.items()}
    return ParsedQuery(list(parsed.words), list(parsed.clauses), corrections)


def forget_parsed() -> None:
    """Parse every query anew (the index or the thesaurus changed)."""
    PARSED.forget()


def _parse(query: str) -> ParsedQuery:
    words = text.query_words(query)
    parsed = ParsedQuery(words)
    if not words:
        return parsed
    groups = thesaurus()
    lookups = _vocabulary_for(words)
    position = 0
    while position < len(words):
        synonym = _thesaurus_match(words, position, groups)
        if synonym:
            length, node = synonym
            # The typed words keep their own rules (compounds, typos) beside the synonyms.
            typed = [
                _word_clause(w, lookups, parsed, groups)
                for w in words[position : position + length]
            ]
            parsed.clauses.append(_combine(AnyOf, [node, _combine(AllOf, typed)]))
            position += length
            continue
        parsed.clauses.append(_word_clause(words[position], lookups, parsed, groups))
        position += 1
    _join_neighbours(parsed, lookups)
    return parsed


@dataclass
class _Lookups:
    """What the index knows about the words of one query, asked for once."""

    known: set[str]  # candidates (words, compound parts, pairs, fixes) that are indexed words
    unknown: set[str]  # typed words the index does not know, not even as a stem's prefix
    splits: dict[str, list[tuple[str, str, str]]]  # each word's possible compound splits


def _vocabulary_for(words: list[str]) -> _Lookups:
    """The known words among every candidate the rules may ask about.

    Spellings one edit away are asked for only for words the index does not
    know, in a second look-up: most queries need just the first.
    """
    splits = {word: vocabulary.compound_splits(word) for word in words}
    candidates: set[str] = set(words)
    for parts in splits.values():
        candidates |= {spelled for _, _, spelled in parts} | {tail for _, tail, _ in parts}
    candidates |= {a + b for a, b in zip(words, words[1:], strict=False)}
    known = vocabulary.known(candidates)
    unknown = {word for word in words if _unknown(word, known)}
    typos = set().union(*(vocabulary.typo_candidates(word) for word in unknown))
    if typos:
        known |= vocabulary.known(typos)
    return _Lookups(known, unknown, splits)


def _word_clause(
    word: str, lookups: _Lookups, parsed: ParsedQuery, groups: list[list[list[str]]]
) -> Node:
    alternatives: list[Node] = [term(word)]
    split = vocabulary.split_compound(lookups.splits[word], lookups.known)
    if split:
        # The parts must stand in the entry's own words: "Deutsch" as the language
        # label of most offers plus "Kurs" anywhere is no Deutschkurs.
        parts = (text.query_stem(split[0]), text.query_stem(split[1]))
        alternatives.append(AllOf(tuple(Term(part, text_only=True) for part in parts)))
    if not word.isdigit() and len(word) >= vocabulary.COMPOUND_MIN_PART:
        heads = vocabulary.compounds_ending_in(text.query_stem(word))
        alternatives += [Term(stem) for stem in heads]
    if word in lookups.unknown:
        fixes = sorted(vocabulary.typo_candidates(word) & lookups.known)
        if fixes:
            parsed.corrections[word] = fixes
        for fix in fixes:
            alternatives.append(term(fix))
            synonym = _thesaurus_match([fix], 0, groups)  # a misspelt thesaurus word
            if synonym:
                alternatives.append(synonym[1])
    return _combine(AnyOf, alternatives)


def _unknown(word: str, known: set[str]) -> bool:
    if word in known or len(word) < vocabulary.TYPO_MIN_LENGTH:
        return False
    return not vocabulary.known_prefix(text.query_stem(word))


def _join_neighbours(parsed: ParsedQuery, lookups: _Lookups) -> None:
    """Two neighbouring single words that form a known compound also match it."""
    if len(parsed.clauses) != len(parsed.words):
        return  # a thesaurus phrase took several words: positions no longer line up
    merged: list[Node] = []
    position = 0
    while position < len(parsed.words):
        pair = "".join(parsed.words[position : position + 2])
        if position + 1 < len(parsed.words) and pair in lookups.known:
            both = AllOf((parsed.clauses[position], parsed.clauses[position + 1]))
            merged.append(AnyOf((both, term(pair))))
            position += 2
        else:
            merged.append(parsed.clauses[position])
            position += 1
    parsed.clauses = merged


# --- compiling -----------------------------------------------------------------


def to_fts5(node: Node, titles_alone: bool = False) -> str:
    """FTS5 query syntax: "stem"* terms with AND, OR and parentheses. For the
    titles' own table (``titles_alone``, migration 0017) no term names a column:
    that table has the title column only."""
    if isinstance(node, Term):
        if node.title_word:
            return f'"{node.stem}"' if titles_alone else f'stems_title : "{node.stem}"'
        if node.text_only and not titles_alone:
            return f'{{stems_title stems_body}} : "{node.stem}"*'
        return f'"{node.stem}"*'
    joiner = " AND " if isinstance(node, AllOf) else " OR "
    return "(" + joiner.join(to_fts5(part, titles_alone) for part in node.parts) + ")"


def in_title_only(node: Node) -> bool:
    """Whether the expression asks for title words alone: PostgreSQL asks the
    title's own vector for these, SQLite its FTS5 table of titles."""
    return all(term.title_word for term in terms(node))


def prefixes(node: Node) -> list[str]:
    """The stems the expression searches as prefixes."""
    return [term.stem for term in terms(node) if not term.title_word]


# PostgreSQL's vector holds the stems of vocabulary labels with this mark in front
# ("0deutsch", migration 0011), so that a term of the entry's own text is a key of
# its own: a GIN index does not know weights, and asking for them (deutsch:*AB)
# made PostgreSQL recheck every entry the index gave (sampled count of
# "Deutschkurs" 20 -> 4 ms). Only a typed word such as "0sport" could meet one.
LABEL_MARK = "0"


def to_tsquery(node: Node, lexemes: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """PostgreSQL tsquery syntax (``simple`` configuration): stem:* terms with &, |
    and parentheses; a term that may stand in a label also asks for its marked
    stem. A prefix found in ``lexemes`` becomes the indexed stems it stands for
    (see vocabulary.lexemes): the same entries, which GIN finds faster."""
    if isinstance(node, Term):
        if node.title_word:
            return node.stem  # asked of the title's own vector (see in_title_only)
        stems = (lexemes or {}).get(node.stem)
        keys = list(stems) if stems else [f"{node.stem}:*"]
        if not node.text_only:
            keys += [LABEL_MARK + key for key in keys]
        return keys[0] if len(keys) == 1 else "(" + " | ".join(keys) + ")"
    joiner = " & " if isinstance(node, AllOf) else " | "
    return "(" + joiner.join(to_tsquery(part, lexemes) for part in node.parts) + ")"
