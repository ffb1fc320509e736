"""The development cases (tests/define/cases/definitions.yml): executed against their hand SQL.

Nothing may be silently wrong; the share of equal answers may not fall below the measured floor.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from metricmind.project import Project

BENCH = Path(__file__).resolve().parents[2] / "bench" / "define.py"


def bench() -> ModuleType:
    """``bench/define.py`` as a module (it is a script, not a package)."""
    name = "metricmind_bench_define"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outcomes(demo: Project) -> list[object]:
    b = bench()
    return [b.run_case(demo, case) for case in b.load_cases("definitions.yml")]


def test_no_development_case_is_silently_wrong(outcomes: list[object]) -> None:
    wrong = [(o.id, o.detail) for o in outcomes if o.outcome == "wrong"]  # type: ignore[attr-defined]
    assert wrong == []


def test_equal_share_and_latency_floor(outcomes: list[object]) -> None:
    figures = bench().score(outcomes)
    assert figures["equal_pct"] >= 60.0, figures
    assert figures["latency_ms_median"] < 200, figures


def test_every_refusal_case_is_refused_with_its_reason(outcomes: list[object], demo: Project) -> None:
    cases = {c["id"]: c for c in bench().load_cases("definitions.yml")}
    for o in outcomes:
        case = cases[o.id]  # type: ignore[attr-defined]
        if not case["expect"]["answerable"]:
            code = case["expect"]["reason"].split(":", 1)[0]
            assert o.outcome == "refused" and o.detail.startswith(code), (o.id, o.detail)  # type: ignore[attr-defined]
