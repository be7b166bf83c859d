"""Relevance of the search, measured on a judged set: one command.

Run: ``.venv/bin/python bench/relevance/evaluate.py [--sqlite|--postgres] [--json]``

Builds a fresh database (SQLite in a temporary LERNSTADT_DATA_DIR by default; with
``--postgres`` the dedicated database ``lernstadt_relevance``, created when missing
and emptied before every run), loads the Herne demo and the full NRW school
register, sends every query of ``judgements.json`` through the real code path
(``catalog.search.search_offers`` and ``search.hit``) and prints per query
success@1, recall@10 and nDCG@10, then the means overall, per category and per
dataset. It measures and never gates: the exit code is 0 whatever the figures.
"""

import argparse
import atexit
import csv
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
JUDGEMENTS = HERE / "judgements.json"
DEMO = ROOT / "lernstadt" / "cities" / "herne" / "demo"
REGISTER = ROOT.parent / "shared" / "data" / "nrw" / "schuldaten_2021.csv"
# The server of the benchmarks (BENCH_PG_URL names a database there); this
# command works in a database of its own and never touches that one.
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test").rsplit(
    "/", 1
)[0]
PG_DATABASE = "lernstadt_relevance"
DEMO_SOURCE = "demo"

CUTOFF = 10
AIM = 0.95
KINDS = ("offer", "school", "provider")
GRADES = (1, 2)
SCHOOL_NUMBER = re.compile(r"^\d{6}$")
# The register marks a school that has closed with Schulbetriebsschluessel 9 and
# lists school authorities (not schools) as Schulform 0A: neither is searchable.
REGISTER_CLOSED = "9"
REGISTER_AUTHORITY = "0A"


class JudgementError(ValueError):
    """A flaw in the judgement file; the message names the query."""


@dataclass(frozen=True)
class Judgement:
    """One query and the entries that must appear in its first ten hits, graded."""

    query: str
    dataset: str
    category: str
    relevant: dict[str, int]
    note: str = ""

    def keys_of(self, kind: str) -> list[str]:
        """The identifiers of the judged entries of one kind ("offer:x" -> "x")."""
        return [key.split(":", 1)[1] for key in self.relevant if key.split(":", 1)[0] == kind]


@dataclass(frozen=True)
class JudgementSet:
    categories: dict[str, str]
    datasets: dict[str, str]
    queries: list[Judgement]


# --- reading the judgements ----------------------------------------------------------


def read_judgements(path: Path = JUDGEMENTS) -> JudgementSet:
    """The judged queries of ``path``, checked for form (not yet against the data)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    categories, datasets = raw.get("categories"), raw.get("datasets")
    if not isinstance(categories, dict) or not isinstance(datasets, dict):
        raise JudgementError(f"{path.name}: „categories“ und „datasets“ fehlen")
    queries = [
        _judgement(entry, number, path.name, categories, datasets)
        for number, entry in enumerate(raw.get("queries", []), start=1)
    ]
    _check_unique(queries, path.name)
    return JudgementSet(categories, datasets, queries)


def _judgement(
    entry: dict[str, Any],
    number: int,
    file: str,
    categories: dict[str, str],
    datasets: dict[str, str],
) -> Judgement:
    where = f"{file}, query {number} „{entry.get('query', '')}“"
    query = entry.get("query")
    if not isinstance(query, str) or not query.strip():
        raise JudgementError(f"{where}: „query“ fehlt")
    if entry.get("category") not in categories:
        raise JudgementError(f"{where}: unbekannte Kategorie „{entry.get('category')}“")
    if entry.get("dataset") not in datasets:
        raise JudgementError(f"{where}: unbekannter Datenbestand „{entry.get('dataset')}“")
    relevant = entry.get("relevant")
    if not isinstance(relevant, dict) or not relevant:
        raise JudgementError(f"{where}: kein bewerteter Eintrag („relevant“ ist leer)")
    for key, grade in relevant.items():
        _check_key(key, grade, where)
    judgement = Judgement(
        query, entry["dataset"], entry["category"], dict(relevant), entry.get("note", "")
    )
    _check_dataset(judgement, where)
    return judgement


def _check_key(key: str, grade: object, where: str) -> None:
    kind, _, ident = key.partition(":")
    if kind not in KINDS or not ident.strip():
        raise JudgementError(f"{where}: „{key}“ ist kein Eintrag der Form offer:|school:|provider:")
    if kind == "school" and not SCHOOL_NUMBER.match(ident):
        raise JudgementError(f"{where}: „{ident}“ ist keine sechsstellige Schulnummer")
    if grade not in GRADES:
        raise JudgementError(f"{where}: Note {grade!r} für „{key}“ (erlaubt: 1 oder 2)")


def _check_dataset(judgement: Judgement, where: str) -> None:
    """The label must match the entries: demo entries only, schools only, or both."""
    schools = bool(judgement.keys_of("school"))
    demo = bool(judgement.keys_of("offer") or judgement.keys_of("provider"))
    expected = "both" if schools and demo else "register" if schools else "demo"
    if judgement.dataset != expected:
        raise JudgementError(
            f"{where}: Datenbestand „{judgement.dataset}“, die Einträge sagen „{expected}“"
        )


def _check_unique(queries: list[Judgement], file: str) -> None:
    seen: set[str] = set()
    for judgement in queries:
        folded = judgement.query.casefold().strip()
        if folded in seen:
            raise JudgementError(f"{file}: „{judgement.query}“ ist doppelt")
        seen.add(folded)


# --- checking the judgements against the data ------------------------------------------


def demo_offers(folder: Path = DEMO) -> dict[str, str]:
    """The demo's offers: external_id -> status."""
    with (folder / "offers.csv").open(encoding="utf-8-sig", newline="") as file:
        return {row["external_id"]: row["status"] or "published" for row in csv.DictReader(file)}


def demo_providers(folder: Path = DEMO) -> set[str]:
    """The names of the demo's providers (schools are judged by number instead)."""
    raw = json.loads((folder / "providers.json").read_text(encoding="utf-8"))
    return {provider["name"] for provider in raw["providers"]}


def register_schools(path: Path = REGISTER) -> dict[str, dict[str, str]]:
    """The register's rows by school number (the first line is Excel's ``sep=;``)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    if lines and lines[0].startswith("sep="):
        lines = lines[1:]
    return {row["Schulnummer"]: row for row in csv.DictReader(lines, delimiter=";")}


def reference_problems(
    judgements: JudgementSet,
    offers: dict[str, str],
    providers: set[str],
    schools: dict[str, dict[str, str]],
) -> list[str]:
    """Judged entries that do not exist, or that search can never show."""
    problems = []
    for judgement in judgements.queries:
        where = f"„{judgement.query}“"
        for ident in judgement.keys_of("offer"):
            if ident not in offers:
                problems.append(f"{where}: offer:{ident} steht nicht in offers.csv")
            elif offers[ident] != "published":
                problems.append(f"{where}: offer:{ident} ist nicht veröffentlicht")
        for name in judgement.keys_of("provider"):
            if name not in providers:
                problems.append(f"{where}: provider:{name} steht nicht in providers.json")
        for number in judgement.keys_of("school"):
            row = schools.get(number)
            if row is None:
                problems.append(f"{where}: school:{number} steht nicht im Schulregister")
            elif row["Schulbetriebsschluessel"].strip() == REGISTER_CLOSED:
                problems.append(f"{where}: school:{number} ist geschlossen")
            elif row["Schulform"].strip() == REGISTER_AUTHORITY:
                problems.append(f"{where}: school:{number} ist eine Schulaufsicht")
    return problems


# --- measures ----------------------------------------------------------------------------


def success_at_1(ranked: list[str], relevant: dict[str, int]) -> float:
    """1 when the first hit is a judged entry, else 0."""
    return 1.0 if ranked and ranked[0] in relevant else 0.0


def recall_at_k(ranked: list[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    """Judged entries among the first ``k`` hits, out of as many as ``k`` can hold."""
    found = len(set(ranked[:k]) & relevant.keys())
    return found / min(len(relevant), k)


def gain(grade: int) -> float:
    """Exponential gain: a best answer (2) counts three times an also-relevant one (1)."""
    return float(2**grade - 1)


def dcg(grades: Iterable[int]) -> float:
    return sum(gain(grade) / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at_k(ranked: list[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    """Discounted cumulative gain of the first ``k`` hits over that of the ideal order."""
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg(relevant.get(key, 0) for key in ranked[:k]) / ideal


# --- running -----------------------------------------------------------------------------


@dataclass
class Hit:
    key: str
    title: str


@dataclass
class Outcome:
    """What one query gave and how it scores."""

    judgement: Judgement
    hits: list[Hit]
    missing: list[Hit] = field(default_factory=list)

    @property
    def ranked(self) -> list[str]:
        return [hit.key for hit in self.hits]

    @property
    def scores(self) -> dict[str, float]:
        relevant = self.judgement.relevant
        return {
            "success_at_1": success_at_1(self.ranked, relevant),
            "recall_at_10": recall_at_k(self.ranked, relevant),
            "ndcg_at_10": ndcg_at_k(self.ranked, relevant),
        }


def prepare_database(backend: str) -> str:
    """A fresh, empty database: its URL ('' for SQLite in a temporary folder)."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="lernstadt-relevance-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["LERNSTADT_DATA_DIR"] = folder
        return ""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE])
        if exists.fetchone() is None:
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    # Emptied by dropping the schema, not by flush: flush would also remove the
    # rows migrations load (the thesaurus) without loading them again.
    url = f"{PG_SERVER}/{PG_DATABASE}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lernstadt.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_catalogue() -> None:
    """Migrate, then load the demo and the full register as a city would."""
    from django.core.management import call_command

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_demo", stdout=quiet)
    call_command("import_schools", str(REGISTER), stdout=quiet, stderr=quiet)


class StableKeys:
    """Translates between database rows and the judgements' stable identifiers."""

    def __init__(self) -> None:
        from lernstadt.catalog.models import Offer, Provider

        self.offers: dict[int, tuple[str, str]] = {
            pk: (f"offer:{ext}", title)
            for pk, ext, title in Offer.objects.filter(source=DEMO_SOURCE).values_list(
                "pk", "external_id", "title"
            )
        }
        self.providers: dict[int, tuple[str, str]] = {
            pk: (f"school:{number}" if number else f"provider:{name}", name)
            for pk, number, name in Provider.objects.values_list("pk", "school_number", "name")
        }
        self.titles = {key: title for key, title in self.offers.values()} | {
            key: title for key, title in self.providers.values()
        }

    def of_hit(self, hit: dict[str, Any]) -> Hit:
        table = self.offers if hit["kind"] == "offer" else self.providers
        key, _ = table.get(hit["id"], (f"{hit['kind']}#{hit['id']}", ""))
        return Hit(key, hit["title"])

    def title(self, key: str) -> str:
        return self.titles.get(key, "(nicht geladen)")


def run_query(judgement: Judgement, keys: StableKeys) -> Outcome:
    """One query through the portal's search: its first page of ten, as stable keys."""
    from lernstadt.catalog import search

    result = search.search_offers(judgement.query, per_page=CUTOFF, with_facets=False)
    hits = [keys.of_hit(search.hit(entry)) for entry in result.page]
    found = {hit.key for hit in hits}
    missing = [Hit(key, keys.title(key)) for key in judgement.relevant if key not in found]
    return Outcome(judgement, hits, missing)


def entry_count() -> int:
    from lernstadt.catalog.models import SearchEntry

    return SearchEntry.objects.count()


# --- reporting ---------------------------------------------------------------------------


def means(outcomes: list[Outcome]) -> dict[str, float]:
    """The mean of every measure over ``outcomes`` (and their number)."""
    scores = [outcome.scores for outcome in outcomes]
    summary = {name: sum(s[name] for s in scores) / len(scores) for name in scores[0]}
    return summary | {"queries": len(outcomes)}


def grouped(outcomes: list[Outcome], by: str) -> dict[str, dict[str, float]]:
    """The means per value of a judgement field ("category" or "dataset")."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(getattr(outcome.judgement, by), []).append(outcome)
    return {name: means(members) for name, members in groups.items()}


def report(
    backend: str, entries: int, outcomes: list[Outcome], problems: list[str]
) -> dict[str, Any]:
    """Every figure as plain data: what ``--json`` prints and the text report reads."""
    return {
        "backend": backend,
        "entries": entries,
        "aim_recall_at_10": AIM,
        "judgement_problems": problems,
        "overall": means(outcomes),
        "by_category": grouped(outcomes, "category"),
        "by_dataset": grouped(outcomes, "dataset"),
        "queries": [
            {
                "query": o.judgement.query,
                "dataset": o.judgement.dataset,
                "category": o.judgement.category,
                **o.scores,
                "missing": [{"key": h.key, "title": h.title} for h in o.missing],
                "hits": [
                    {"key": h.key, "title": h.title, "grade": o.judgement.relevant.get(h.key, 0)}
                    for h in o.hits
                ],
            }
            for o in outcomes
        ],
    }


def _row(name: str, figures: dict[str, float], width: int = 12) -> str:
    return (
        f"  {name:<{width}} {int(figures['queries']):>4}   {figures['success_at_1']:.2f}   "
        f"{figures['recall_at_10']:.2f}   {figures['ndcg_at_10']:.2f}"
    )


def print_outcome(outcome: Outcome) -> None:
    s, j = outcome.scores, outcome.judgement
    print(
        f"{int(s['success_at_1']):>3}  {s['recall_at_10']:.2f}  {s['ndcg_at_10']:.2f}  "
        f"{j.category:<10}  {j.dataset:<8}  {j.query}"
    )
    if s["success_at_1"] == 1 and not outcome.missing:
        return
    for hit in outcome.missing:
        print(f"{'':28}missing  {hit.key}  {hit.title}")
    for rank, hit in enumerate(outcome.hits[:5], start=1):
        grade = j.relevant.get(hit.key)
        mark = f"[{grade}]" if grade else "   "
        print(f"{'':28}{rank:>2}. {mark} {hit.key}  {hit.title}")
    if not outcome.hits:
        print(f"{'':28}(no hits)")


def print_report(data: dict[str, Any], outcomes: list[Outcome]) -> None:
    print(f"Search relevance, {data['backend']}: {data['entries']} entries (demo + NRW register)")
    for problem in data["judgement_problems"]:
        print(f"JUDGEMENT PROBLEM: {problem}")
    print(f"\nS@1  R@10  nDCG  {'category':<10}  {'dataset':<8}  query")
    for outcome in outcomes:
        print_outcome(outcome)
    header = f"  {'':<12} {'n':>4}   S@1    R@10   nDCG@10"
    print("\nOverall\n" + header)
    print(_row("all", data["overall"]))
    print("Per category\n" + header)
    for name, figures in sorted(data["by_category"].items()):
        print(_row(name, figures))
    print("Per dataset\n" + header)
    for name, figures in sorted(data["by_dataset"].items()):
        print(_row(name, figures))
    recall = data["overall"]["recall_at_10"]
    if recall < AIM:
        print(f"\nBELOW AIM: overall recall@10 {recall:.3f} < {AIM} (the aim of the issue)")
    else:
        print(f"\nAim met: overall recall@10 {recall:.3f} >= {AIM}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--sqlite", action="store_true", help="SQLite (the default)")
    backend.add_argument("--postgres", action="store_true", help=f"PostgreSQL, {PG_DATABASE}")
    backend.add_argument(
        "--compare", action="store_true", help="both databases: are their first pages the same?"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare_backends())
    name = "postgresql" if args.postgres else "sqlite"
    if not REGISTER.exists():
        sys.exit(f"{REGISTER}: the NRW school register is needed and was not found")

    try:
        judgements = read_judgements()
    except (JudgementError, json.JSONDecodeError) as error:
        sys.exit(f"{JUDGEMENTS.name}: {error}")
    problems = reference_problems(judgements, demo_offers(), demo_providers(), register_schools())
    setup_django(prepare_database(name))
    print(f"Loading the demo and {REGISTER.name} into {name} ...", file=sys.stderr)
    load_catalogue()
    keys = StableKeys()
    outcomes = [run_query(judgement, keys) for judgement in judgements.queries]
    data = report(name, entry_count(), outcomes, problems)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_report(data, outcomes)


def compare_backends() -> int:
    """Run the set on SQLite and on PostgreSQL (each in a process of its own, as
    Django sets up one database per process) and compare their first pages, hit by
    hit: the issue asks for the same results on both. 1 when any page differs."""
    pages = {}
    for flag in ("--sqlite", "--postgres"):
        command = [sys.executable, __file__, flag, "--json"]
        run = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        data = json.loads(run.stdout)
        pages[data["backend"]] = {
            q["query"]: [h["key"] for h in q["hits"]] for q in data["queries"]
        }
    sqlite, postgresql = pages["sqlite"], pages["postgresql"]
    differing = [query for query in sqlite if sqlite[query] != postgresql.get(query)]
    for query in differing:
        print(f"differs: {query!r}\n  sqlite     {sqlite[query]}\n  postgresql {postgresql[query]}")
    same = len(sqlite) - len(differing)
    print(f"same first page, hit by hit, on both databases: {same} of {len(sqlite)}")
    return 1 if differing else 0


if __name__ == "__main__":
    main()
