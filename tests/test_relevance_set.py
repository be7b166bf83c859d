"""The judged relevance set (bench/relevance/) is well-formed and names real entries.

Fast: reads the judgement file and the data it refers to; never runs the search.
"""

import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "relevance"
CATEGORIES = {
    "inflection",
    "umlaut",
    "typo",
    "hyphen",
    "compound",
    "thesaurus",
    "place",
    "number",
}


def _load_evaluate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("relevance_evaluate", BENCH / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()


@pytest.fixture(scope="module")
def judgements() -> Any:
    """The judged set, read and checked for form once."""
    return evaluate.read_judgements(BENCH / "judgements.json")


def test_set_holds_at_least_sixty_queries(judgements: Any) -> None:
    assert len(judgements.queries) >= 60


def test_every_query_has_a_judged_entry(judgements: Any) -> None:
    assert all(judgement.relevant for judgement in judgements.queries)


def test_categories_are_exactly_the_known_ones(judgements: Any) -> None:
    assert set(judgements.categories) == CATEGORIES


def test_every_category_has_several_queries(judgements: Any) -> None:
    counts = Counter(judgement.category for judgement in judgements.queries)
    assert {category: counts[category] for category in CATEGORIES if counts[category] < 5} == {}


def test_demo_and_register_each_hold_about_half(judgements: Any) -> None:
    counts = Counter(judgement.dataset for judgement in judgements.queries)
    total = len(judgements.queries)
    assert counts["demo"] >= 0.35 * total
    assert counts["register"] + counts["both"] >= 0.35 * total
    assert counts["both"] >= 3


def test_judged_offers_are_published_demo_offers(judgements: Any) -> None:
    offers = evaluate.demo_offers()
    judged = {ident for j in judgements.queries for ident in j.keys_of("offer")}
    assert judged, "the set judges no offer at all"
    assert {ident for ident in judged if offers.get(ident) != "published"} == set()


def test_judged_providers_are_demo_providers(judgements: Any) -> None:
    judged = {name for j in judgements.queries for name in j.keys_of("provider")}
    assert judged - evaluate.demo_providers() == set()


def test_judged_schools_are_open_schools_of_the_register(
    judgements: Any, shared_data: Path
) -> None:
    schools = evaluate.register_schools(shared_data / "nrw" / "schuldaten_2021.csv")
    problems = evaluate.reference_problems(
        judgements, evaluate.demo_offers(), evaluate.demo_providers(), schools
    )
    assert problems == []


def test_several_queries_expect_a_school_in_another_town(
    judgements: Any, shared_data: Path
) -> None:
    schools = evaluate.register_schools(shared_data / "nrw" / "schuldaten_2021.csv")
    elsewhere = [
        j.query
        for j in judgements.queries
        if any(schools[n]["Ort"] != "Herne" for n in j.keys_of("school") if n in schools)
    ]
    assert len(elsewhere) >= 5


def _write(tmp_path: Path, query: dict[str, object]) -> Path:
    raw = json.loads((BENCH / "judgements.json").read_text(encoding="utf-8"))
    raw["queries"] = [query]
    path = tmp_path / "judgements.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_reader_rejects_an_unknown_category(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"query": "Kita", "dataset": "demo", "category": "spelling", "relevant": {"offer:x": 2}},
    )
    with pytest.raises(evaluate.JudgementError, match="Kategorie „spelling“"):
        evaluate.read_judgements(path)


def test_reader_rejects_a_query_without_judged_entries(tmp_path: Path) -> None:
    path = _write(
        tmp_path, {"query": "Kita", "dataset": "demo", "category": "thesaurus", "relevant": {}}
    )
    with pytest.raises(evaluate.JudgementError, match="kein bewerteter Eintrag"):
        evaluate.read_judgements(path)


def test_reader_rejects_a_dataset_that_does_not_match_the_entries(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "query": "169626",
            "dataset": "demo",
            "category": "number",
            "relevant": {"school:169626": 2},
        },
    )
    with pytest.raises(evaluate.JudgementError, match="die Einträge sagen „register“"):
        evaluate.read_judgements(path)


def test_reference_check_names_an_offer_missing_from_the_demo(judgements: Any) -> None:
    problems = evaluate.reference_problems(judgements, {}, evaluate.demo_providers(), {})
    assert any("steht nicht in offers.csv" in problem for problem in problems)


def test_recall_counts_at_most_ten_judged_entries() -> None:
    relevant = {f"school:{n:06d}": 2 for n in range(12)}
    ranked = list(relevant)[:10]
    assert evaluate.recall_at_k(ranked, relevant) == 1.0
    assert evaluate.recall_at_k(ranked[:5], relevant) == 0.5


def test_ndcg_is_one_only_in_the_ideal_order() -> None:
    relevant = {"offer:a": 2, "offer:b": 1}
    assert evaluate.ndcg_at_k(["offer:a", "offer:b"], relevant) == pytest.approx(1.0)
    assert evaluate.ndcg_at_k(["offer:b", "offer:a"], relevant) < 1.0
    assert evaluate.ndcg_at_k(["offer:x"], relevant) == 0.0


def test_success_at_one_looks_at_the_first_hit_only() -> None:
    relevant = {"offer:a": 1}
    assert evaluate.success_at_1(["offer:a", "offer:x"], relevant) == 1.0
    assert evaluate.success_at_1(["offer:x", "offer:a"], relevant) == 0.0
    assert evaluate.success_at_1([], relevant) == 0.0
