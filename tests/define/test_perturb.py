"""Metamorphic guard of the Define agent (``bench/define_perturb.py``): rewrites of the dev definitions are
never answered silently wrong; and the transformations and classification the bench rests on.

The slice: every ``fold`` variant of ``definitions3.yml`` (the kind that found the silent wrongs: a rule folded
into the definition read with the wrong polarity, as a filter instead of a conversion) and a seeded sample
of the other variants of the development files. Only development files are read, never a ``blind*`` file.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from metricmind.define import Definition
from metricmind.project import Project
from tests.benchload import load_bench
from tests.define import perturb

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "metricmind" / "demo" / "project"
SAMPLE = 30


@pytest.fixture(scope="module")
def vocab() -> perturb.Vocabulary:
    return perturb.Vocabulary(Project.load(DEMO, strict=False).model)


def test_seeded_slice_has_no_silent_wrong(demo: Project) -> None:
    bench = load_bench("define_perturb")
    files = bench.define_bench().DEV_FILES
    every = bench.load_variants(list(files), 0, demo.model)
    folds = [v for v in every if v.kind.startswith("fold") and v.case_id.startswith("def3-")]
    rest = [v for v in every if v not in folds]
    chosen = folds + random.Random(0).sample(rest, SAMPLE)
    cache: dict[str, dict[Any, float]] = {}
    results = [bench.run_variant(demo, v, cache) for v in chosen]
    silent = [
        (r.variant.kind, r.variant.case_id, r.variant.definition.text, r.detail)
        for r in results
        if r.outcome in ("wrong", "ignored")
    ]
    assert not silent
    assert len(results) >= 40
    assert sum(r.outcome == "equal" for r in results) >= len(results) // 3  # the slice exercises answers


def test_variants_are_deterministic_and_never_read_blind_files(demo: Project) -> None:
    bench = load_bench("define_perturb")
    a = bench.load_variants(["definitions.yml"], 3, demo.model)
    b = bench.load_variants(["definitions.yml"], 3, demo.model)
    assert a == b and a
    with pytest.raises(SystemExit):
        bench.load_variants(["blind.yml"], 0, demo.model)


def test_invariance_rewrites_keep_the_rules_and_their_order_of_words(vocab: perturb.Vocabulary) -> None:
    d = Definition(
        "x", "Month-end recurring revenue, excluding the Starter plan", ("Exclude trials", "EMEA only")
    )
    got = dict(perturb.invariants(d, vocab, random.Random(0)))
    assert got["reorder:rules"].rules == ("EMEA only", "Exclude trials")
    assert got["split:clause"] == Definition(
        "x", "Month-end recurring revenue", ("Exclude trials", "EMEA only", "Excluding the Starter plan")
    )
    fold = next(v for k, v in got.items() if k.startswith("fold:"))
    assert len(fold.rules) == 1 and fold.text.startswith(
        "Month-end recurring revenue, excluding the Starter plan"
    )
    exclude = next(v for k, v in got.items() if k.startswith("exclude:"))
    assert exclude.rules[0].endswith("trials") and exclude.rules[0] != "Exclude trials"
    only = next(v for k, v in got.items() if k.startswith("only:"))
    assert "EMEA" in only.rules[1] and only.rules[1] != "EMEA only"


def test_a_typo_never_touches_a_catalog_or_operator_word(vocab: perturb.Vocabulary) -> None:
    d = Definition("x", "Recurring revenue of every Enterprise customer, which we track", ("Exclude trials",))
    for seed in range(20):
        typo = perturb._typo(d, vocab, random.Random(seed))
        assert typo is not None
        changed = set(typo.text.split()) - set(d.text.split())
        assert changed and all(
            w.strip(",").lower() not in ("recurring", "revenue", "enterprise") for w in changed
        )
        assert typo.rules == d.rules


def test_a_swapped_value_swaps_the_hand_sql_literal(vocab: perturb.Vocabulary) -> None:
    d = Definition("x", "Recurring revenue at month end", ("Exclude the Starter plan",))
    sql = "select 1 from fct_subscriptions_canonical s where s.plan_tier <> 'Starter'"
    [(kind, v, derived)] = list(perturb.swaps(d, sql, vocab, random.Random(0)))
    new = derived.split("<> '")[1].rstrip("'")
    assert kind == "swap:value" and new != "Starter"
    assert v.rules == (f"Exclude the {new} plan",)
    assert "'Starter'" not in derived


def test_sensitivity_rewrites(vocab: perturb.Vocabulary) -> None:
    d = Definition("x", "Total seats live at the end of the month", ("Exclude trials",))
    sql = "select 1 from fct_subscriptions_canonical s where not s.is_trial"
    got = {k: v for k, v, _ in perturb.sensitives(d, sql, vocab, random.Random(0))}
    assert got["negate:rule"].rules == ("Only trials",)
    assert got["agg:average"].text == "Average seats live at the end of the month"
    assert got["time:flow"].text == "Total seats live added during the month"
    extra = got["extra:only"].rules[-1]
    assert extra.startswith("Only ") and len(got["extra:only"].rules) == 2
    ratio = Definition("x", "Average events per active account", ())
    assert not [
        k for k, _, _ in perturb.sensitives(ratio, "select 1", vocab, random.Random(0)) if k.startswith("agg")
    ]


def _same(a: dict[Any, float], b: dict[Any, float]) -> bool:
    return all(abs(a.get(k, 0.0) - v) < 0.01 for k, v in b.items())


@pytest.mark.parametrize(
    ("family", "got", "want", "flagged", "expected"),
    [
        (perturb.INVARIANCE, None, {1: 1.0}, False, "refused"),
        (perturb.INVARIANCE, {1: 1.0}, {1: 1.0}, True, "equal"),
        (perturb.INVARIANCE, {1: 2.0}, {1: 1.0}, True, "refused"),
        (perturb.INVARIANCE, {1: 2.0}, {1: 1.0}, False, "wrong"),
        (perturb.SENSITIVITY, {1: 1.0}, None, False, "ignored"),
        (perturb.SENSITIVITY, {1: 3.0}, None, False, "differs"),
        (perturb.SENSITIVITY, {1: 1.0}, None, True, "refused"),
        (perturb.SENSITIVITY, {1: 5.0}, {1: 5.0}, False, "equal"),
        (perturb.SENSITIVITY, {1: 1.0}, {1: 5.0}, False, "ignored"),
        (perturb.SENSITIVITY, {1: 2.0}, {1: 5.0}, False, "wrong"),
        (perturb.SENSITIVITY, {1: 1.0}, {1: 1.0}, False, "equal"),
    ],
)
def test_classify(family: str, got: Any, want: Any, flagged: bool, expected: str) -> None:
    d = Definition("x", "y")
    v = perturb.Variant("c", family, "k", d, d, "sql" if want is not None else None, "base")
    assert perturb.classify(v, got=got, want=want, baseline={1: 1.0}, same=_same, flagged=flagged) == expected
