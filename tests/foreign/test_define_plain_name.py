"""Two metrics whose labels differ only in a parenthesis ("Shipping revenue" and "Shipping revenue (net)"):
the words "shipping revenue" say the plain one's NAME word for word, while the other's name adds a word
("net") nobody said (``define/rivals.py``: ``plainer``, ``names_only_metric``). The plain one is taken and
runs against hand SQL; saying "net" takes the other. Found on pixelforge (`iap_revenue`, "IAP Revenue
(gross)", against `iap_net_revenue`, "IAP Revenue (net)", whose description says "IAP revenue" and won the
ranking), checked here on a copy of lastmile given a net sibling of `shipping_revenue`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.project import Project
from tests.foreign.conftest import fresh_copy

_NET = {
    "name": "shipping_net_revenue",
    "label": "Shipping revenue (net)",
    "description": "Shipping revenue after the carrier surcharge passed through, EUR excl. VAT.",
    "type": "simple",
    "type_params": {"measure": "shipping_fee_net_eur"},
    "config": {"meta": {"owner": "finance", "unit": "EUR"}},
}


@pytest.fixture(scope="module")
def netted(lastmile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = fresh_copy(lastmile_dir, tmp_path_factory.mktemp("plain") / "lastmile")
    sm_file = root / "models" / "semantic_layer" / "semantic_models.yml"
    doc = yaml.safe_load(sm_file.read_text())
    parcels = next(sm for sm in doc["semantic_models"] if sm["name"] == "parcels")
    parcels["measures"].append(
        {"name": "shipping_fee_net_eur", "agg": "sum", "expr": "shipping_fee_eur * 0.8"}
    )
    sm_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    metrics_file = root / "models" / "semantic_layer" / "metrics" / "finance.yml"
    mdoc = yaml.safe_load(metrics_file.read_text())
    mdoc["metrics"].append(_NET)
    metrics_file.write_text(yaml.safe_dump(mdoc, sort_keys=False))
    with Project.load(root) as project:
        yield project


def _rows(project: Project, text: str, *rules: str) -> dict[str, float]:
    p = project.analyze_definition(Definition("plain_name", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    assert p.confidence > 0.5, (p.confidence, p.doubts)
    sql = proposal_sql(project.model, p, start="2024-10-01", end="2025-09-30")
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, factor: str) -> dict[str, float]:
    sql = (
        f"select date_trunc('month', booked_tstamp), sum(shipping_fee_eur{factor}) from core.parcels "
        "where service_level = 'same_day' and booked_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _same(got: dict[str, float], want: dict[str, float]) -> bool:
    return len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items())


def test_the_plain_name_said_word_for_word_is_the_metric(netted: Project) -> None:
    for text in ("Shipping revenue of same_day parcels", "Shipping revenue, same_day service only"):
        got, want = _rows(netted, text), _hand(netted, "")
        assert _same(got, want), (text, got, want)


def test_the_word_that_sets_the_other_apart_takes_it(netted: Project) -> None:
    got, want = _rows(netted, "Net shipping revenue of same_day parcels"), _hand(netted, " * 0.8")
    assert _same(got, want), (got, want)
