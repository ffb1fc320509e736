"""Resolver behaviour: spans, values, reachability, refusals with the nearest options, learning."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.resolve import LEARNED_PATH, Resolver, learned_tables, read_learned
from metricmind.spec.vocabulary import Word, write_words

DAY = dt.date(2026, 6, 30)


def test_json_shape_and_spans(resolver: Resolver) -> None:
    question = "Top 5 countries by MRR in Europe last quarter vs the same quarter last year"
    data = resolver.resolve(question, as_of=DAY).to_dict()
    assert {
        "answerable",
        "reason",
        "metrics",
        "group_by",
        "time_range",
        "filters",
        "order_by",
        "limit",
        "comparison",
        "spans",
        "query",
    } <= set(data)
    assert data["metrics"] == ["mrr"]
    assert data["group_by"] == [{"name": "customer__country", "grain": None}]
    assert data["filters"] == [{"field": "customer__region", "op": "=", "value": "EMEA"}]
    assert data["order_by"] == [{"name": "mrr", "desc": True}] and data["limit"] == 5
    assert data["time_range"] == {"start": "2026-01-01", "end": "2026-04-01"}
    assert data["comparison"] == "same_period_last_year"
    assert data["comparison_query"]["start"] == "2025-01-01"
    # every span points at the words it came from
    for spans in data["spans"].values():
        for s in spans:
            assert question[s["start"] : s["end"]] == s["text"]
    assert [s["text"] for s in data["spans"]["filters"]] == ["Europe"]
    assert data["query"]["where"] == ["{{ Dimension('customer__region') }} = 'EMEA'"]


def test_the_dimension_depends_on_the_metric(resolver: Resolver) -> None:
    def group(question: str) -> list[str]:
        return [g[0] for g in resolver.resolve(question, as_of=DAY).group_by]

    assert group("touchpoints by channel") == ["touchpoint__channel"]
    assert group("marketing spend by channel") == ["ad_spend__channel"]
    assert group("new customers by channel") == ["customer__acquisition_channel"]
    assert group("invoice count by status") == ["invoice__status"]


def test_ambiguous_values_and_case(resolver: Resolver) -> None:
    def filters(question: str) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(f.field, f.op, f.values) for f in resolver.resolve(question, as_of=DAY).filters]

    assert filters("MRR for Enterprise customers") == [("customer__segment", "=", ("Enterprise",))]
    assert filters("MRR on the Enterprise plan") == [("subscription__plan_tier", "=", ("Enterprise",))]
    assert filters("MRR in the US") == [("customer__country", "=", ("United States",))]
    assert filters("show us MRR") == []  # "us" the pronoun is not the country
    assert filters("new MRR") == []  # "new" is not the change type
    assert filters("MRR outside EMEA and APAC") == [("customer__region", "not in", ("EMEA", "APAC"))]


def test_unreachable_dimension_is_refused_with_options(resolver: Resolver) -> None:
    res = resolver.resolve("marketing spend by industry", as_of=DAY)
    assert not res.answerable and "industry" in (res.reason or "")
    assert res.query_dict() is None
    assert res.nearest and all(n["kind"] == "dimension" for n in res.nearest)
    assert all(resolver.reachable("marketing_spend", n["name"]) for n in res.nearest)


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("What is our NPS?", "no metric"),
        ("revenue forecast for next quarter", "future"),
        ("What is our retention?", "several metrics"),
        ("MRR by zorblat", "zorblat"),
        ("revenue in 2023 and 2025", "two time ranges"),
        ("invoices over 1000 dollars", "1000"),
        ("", "empty"),
    ],
)
def test_refusals_say_why(resolver: Resolver, question: str, needle: str) -> None:
    data = resolver.resolve(question, as_of=DAY).to_dict()
    assert data["answerable"] is False and data["query"] is None
    assert needle in data["reason"]


def test_nearest_metrics_for_an_unknown_concept(resolver: Resolver) -> None:
    data = resolver.resolve("What is our retention?", as_of=DAY).to_dict()
    assert {n["name"] for n in data["nearest"]} == {
        "net_revenue_retention",
        "gross_revenue_retention",
        "logo_retention",  # the cohort retention metrics are retentions too
        "revenue_retention",
    }


def test_typos_lower_the_confidence_but_resolve(resolver: Resolver) -> None:
    res = resolver.resolve("reveneu by regoin", as_of=DAY)
    assert res.metrics == ["invoice_revenue"] and res.group_by == [("customer__region", None)]
    assert res.confidence < 1.0
    assert {s.how for s in res.spans["metrics"]} == {"typo"}


def test_learned_synonyms(resolve_demo_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(resolve_demo_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    with Project.load(root) as project:
        assert not Resolver.for_project(project.model, root).resolve("MRR by zorblat", as_of=DAY).answerable
        path = write_words(
            root,
            [
                Word("zorblat", "dimension", "customer__region", "ana", "bo"),
                Word("recurring dosh", "metric", "mrr", "ana", "bo"),
            ],
        )
        assert path == root / LEARNED_PATH and path.read_text().startswith("# Words")
        assert read_learned(root)["dimension"] == {"zorblat": "customer__region"}
        # a person's own words apply on top of the shared ones
        own = learned_tables([], [Word("old world", "value", "customer__region=EMEA")])
        learned = Resolver(project.model, {**read_learned(root), **own})
        res = learned.resolve("recurring dosh by zorblat in the old world", as_of=DAY)
        assert res.answerable
        assert res.metrics == ["mrr"] and res.group_by == [("customer__region", None)]
        assert [(f.field, f.values) for f in res.filters] == [("customer__region", ("EMEA",))]
        assert {s.how for s in res.spans["metrics"]} == {"learned"}
        # the project still loads: the vocabulary file is not a semantic file
        assert Project.load(root).model.metrics.keys() == project.model.metrics.keys()


def test_a_damaged_vocabulary_file_is_ignored_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "metricmind").mkdir()
    (tmp_path / LEARNED_PATH).write_text("vocabulary: [unclosed\n")
    assert read_learned(tmp_path) == {}
    (tmp_path / LEARNED_PATH).write_text(
        "vocabulary:\n  - phrase: x\n  - 3\n  - {phrase: a, kind: metric, target: mrr}\n"
    )
    assert read_learned(tmp_path) == {"metric": {"a": "mrr"}}
    assert (tmp_path / LEARNED_PATH).read_text().startswith("vocabulary:")  # nothing rewritten


def test_snapshot_question_without_grain_keeps_the_window(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("MRR at the end of last year", as_of=DAY)
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    query = res.metric_query()
    assert query is not None
    rows = resolve_demo.run(query).rows
    assert len(rows) == 1 and float(rows[0][0]) > 0
