"""One broken item does not reject the project: it is reported with file:line, only what depends on it is
left out (querying it names the root cause), and errors that only follow from it are not repeated."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.errors import Level, SpecError, UnavailableError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` containing ``text``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def errors(project: Project) -> list[str]:
    return [str(i) for i in project.issues if i.level is Level.ERROR]


def rows(project: Project, metrics: str, group_by: str) -> list[tuple[object, ...]]:
    return sorted(project.query(metrics.split(","), group_by).rows, key=repr)


def test_create_metric_gives_a_simple_metric_a_ratio_can_use(marketplace: Path) -> None:
    project = Project.load(marketplace, strict=True)
    assert not errors(project)
    made = project.model.metrics["bounced_sessions"]
    assert made.type.value == "simple" and made.measure and made.measure.name == "bounced_sessions"
    assert project.model.metrics["gmv"].label == "GMV"  # create_metric_display_name
    assert project.model.metrics["sessions"].description == "Browsing sessions."
    got = {str(k)[:10]: v for k, v in project.query("bounce_rate", "metric_time__month").rows}
    truth = dict(
        project.warehouse.run(
            "select date_trunc('month', started_on)::date, avg(case when bounced then 1.0 else 0 end) "
            "from raw.sessions group by 1"
        ).rows
    )
    assert len(got) == len(truth) == 6
    for month, rate in truth.items():
        assert abs(float(got[str(month)]) - float(rate)) < 1e-9


def test_a_broken_measure_leaves_out_only_what_uses_it(marketplace: Path) -> None:
    intact = Project.load(marketplace)
    before = rows(intact, "gmv,orders", "region__region_name")
    sessions_file = marketplace / "models" / "marts" / "sem_sessions.yml"
    replace(sessions_file, "agg: sum\n        expr: bounced", "agg: summ\n        expr: bounced")
    project = Project.load(marketplace)  # loads: nothing raised
    assert len(errors(project)) == 1
    bad_line = line_of(sessions_file, "agg: summ")
    assert f"models/marts/sem_sessions.yml:{bad_line}" in errors(project)[0]
    left_out = {u.name: u for u in project.unavailable if u.kind == "metric"}
    assert set(left_out) == {"bounced_sessions", "bounce_rate"}
    assert left_out["bounce_rate"].via == ("metric 'bounced_sessions'", "measure 'bounced_sessions'")
    # everything else answers, with the same rows as before
    assert rows(project, "gmv,orders", "region__region_name") == before
    assert project.query("sessions", "metric_time__month").rows
    with pytest.raises(UnavailableError) as info:
        project.compile(MetricQuery.build("bounce_rate", "metric_time__month"))
    message = str(info.value)
    assert "bounce_rate" in message and "summ" in message and f"sem_sessions.yml:{bad_line}" in message
    assert info.value.to_dict()["cause"]["line"] == bad_line  # type: ignore[index]
    with pytest.raises(SpecError):
        Project.load(marketplace, strict=True)


def test_one_unparsable_file_gives_one_error_and_no_follow_ons(marketplace: Path) -> None:
    sessions_file = marketplace / "models" / "marts" / "sem_sessions.yml"
    replace(sessions_file, "      - name: sessions\n", "      - name: sessions\n\tdescription: tab\n")
    project = Project.load(marketplace)
    errs = [i for i in project.issues if i.level is Level.ERROR]
    # the YAML error alone: not "metric 'bounce_rate' uses unknown metric 'sessions'" and the like
    assert len(errs) == 1 and errs[0].code == "yaml", [str(e) for e in errs]
    assert errs[0].file == "models/marts/sem_sessions.yml" and errs[0].line
    left_out = {u.name for u in project.unavailable if u.kind == "metric"}
    assert left_out == {"bounce_rate"}
    assert project.query("average_order_value", "metric_time__month").rows
    for name in ("bounce_rate", "sessions"):  # one defined elsewhere, one inside the broken file
        with pytest.raises(UnavailableError, match="sem_sessions.yml"):
            project.compile(MetricQuery.build(name))
    with pytest.raises(SpecError) as info:
        Project.load(marketplace, strict=True)
    assert [i.code for i in info.value.issues if i.level is Level.ERROR] == ["yaml"]


def test_root_causes_come_first(marketplace: Path) -> None:
    metrics_file = marketplace / "models" / "marts" / "metrics.yml"
    replace(metrics_file, "measure: items_sold", "measure: items_sould")  # a root cause of its own
    sessions_file = marketplace / "models" / "marts" / "sem_sessions.yml"
    sessions_file.write_text(sessions_file.read_text() + "  - name: [unclosed\n")
    project = Project.load(marketplace)
    errs = [i for i in project.issues if i.level is Level.ERROR]
    assert [e.code for e in errs][0] == "yaml"
    assert any("unknown measure 'items_sould'" in e.message and "items_sold" in (e.hint or "") for e in errs)
    assert len(errs) == 2


def test_a_broken_dimension_leaves_out_only_that_dimension(marketplace: Path) -> None:
    buyers_file = marketplace / "models" / "marts" / "sem_buyers.yml"
    replace(
        buyers_file,
        "- name: loyalty_tier\n        type: categorical",
        "- name: loyalty_tier\n        type: category",
    )
    project = Project.load(marketplace)
    assert len(errors(project)) == 1
    assert [u.name for u in project.unavailable] == ["buyers.loyalty_tier"]
    assert project.query("gmv", "order__buyer__region__region_name").rows
    with pytest.raises(UnavailableError, match="category"):
        project.compile(MetricQuery.build("gmv", "order__buyer__loyalty_tier"))


def test_a_broken_entity_leaves_out_its_semantic_model(marketplace: Path) -> None:
    regions_file = marketplace / "models" / "marts" / "sem_regions.yml"
    replace(regions_file, "type: primary", "type: primry")
    project = Project.load(marketplace)
    errs = errors(project)
    assert errs and "primry" in errs[0]
    assert ("semantic model", "regions") in {(u.kind, u.name) for u in project.unavailable}
    assert project.query("gmv", "order__buyer__loyalty_tier").rows
    with pytest.raises(UnavailableError, match="regions"):
        project.compile(MetricQuery.build("gmv", "order__buyer__region__region_name"))


def test_a_truly_unknown_reference_is_a_root_cause(marketplace: Path) -> None:
    metrics_file = marketplace / "models" / "marts" / "metrics.yml"
    replace(metrics_file, "numerator: gmv", "numerator: gmw")
    project = Project.load(marketplace)
    errs = errors(project)
    assert len(errs) == 1 and "unknown metric 'gmw'" in errs[0] and "did you mean 'gmv'" in errs[0]
    with pytest.raises(UnavailableError, match="gmw"):
        project.compile(MetricQuery.build("average_order_value"))


def test_disabled_objects_are_skipped(marketplace: Path) -> None:
    metrics_file = marketplace / "models" / "marts" / "metrics.yml"
    replace(metrics_file, "  - name: items_sold\n", "  - name: items_sold\n    config: {enabled: false}\n")
    project = Project.load(marketplace, strict=True)
    assert "items_sold" not in project.model.metrics and "gmv" in project.model.metrics


def test_create_metric_and_a_metric_of_the_same_name_are_a_duplicate(marketplace: Path) -> None:
    metrics_file = marketplace / "models" / "marts" / "metrics.yml"
    metrics_file.write_text(
        metrics_file.read_text()
        + "  - name: orders\n    label: Orders\n    type: simple\n    type_params: {measure: orders}\n"
    )
    project = Project.load(marketplace)
    assert any("metric 'orders' is defined twice" in e for e in errors(project))
    assert {"orders", "average_order_value", "completed_orders"} <= {u.name for u in project.unavailable}
    assert project.query("gmv", "metric_time__month").rows


def test_the_catalog_keeps_a_metric_that_is_only_unavailable(marketplace: Path) -> None:
    with Project.load(marketplace) as intact:
        assert "metric:bounce_rate" in intact.catalog.last_sync["added"]
    sessions_file = marketplace / "models" / "marts" / "sem_sessions.yml"
    replace(sessions_file, "agg: sum\n        expr: bounced", "agg: summ\n        expr: bounced")
    with Project.load(marketplace) as broken:
        assert "bounce_rate" not in broken.model.metrics
        report = broken.catalog.last_sync
        assert report["removed"] == [] and report["updated"] == []  # defined still, not deleted
        assert broken.catalog.metric("bounce_rate")["name"] == "bounce_rate"


def test_every_way_in_refuses_a_left_out_metric_with_its_cause(marketplace: Path) -> None:
    sessions_file = marketplace / "models" / "marts" / "sem_sessions.yml"
    replace(sessions_file, "agg: sum\n        expr: bounced", "agg: summ\n        expr: bounced")
    project = Project.load(marketplace)
    query = MetricQuery.build("bounce_rate", "metric_time__month")
    for call in (project.compile, project.plan, project.run, lambda q: project.query("bounce_rate")):
        with pytest.raises(UnavailableError, match="summ"):
            call(query)
    with pytest.raises(UnavailableError, match="summ"):
        project.dimensions("bounce_rate")
