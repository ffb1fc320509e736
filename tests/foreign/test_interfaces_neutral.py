"""The interfaces' suggestions come from the loaded project: follow-up breakdowns after an answer and the
Define form's example name only the project's own metrics and dimensions (the demo, bazaar, helpdesk,
lending).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.interfaces.cli.commands_ask import follow_up_dims
from metricmind.project import Project
from metricmind.project.suggest import define_example

DEMO_WORDS = re.compile(r"\b(mrr|arr|segment|region|plan_tier|subscriptions?|customer)\b", re.I)


def _follow_ups(project: Project, metric: str) -> list[str]:
    return follow_up_dims(project, project.resolver(), [metric])


def _own(project: Project, metric: str, dims: list[str]) -> None:
    names = {d.name for d in project.dimensions(metric) if d.type == "categorical"}
    assert dims and set(dims) <= names, (metric, dims)
    assert len(dims) <= 5 and len(set(dims)) == len(dims)


@pytest.fixture(scope="module")
def demo(demo_built: Path) -> Project:
    with Project.load(demo_built) as project:
        return project


def test_demo_follow_ups_are_its_segment_region_and_plan_tier(demo: Project) -> None:
    dims = _follow_ups(demo, "mrr")
    _own(demo, "mrr", dims)
    assert dims[:3] == ["customer__segment", "customer__region", "subscription__plan_tier"]
    assert _follow_ups(demo, "mrr") == dims  # deterministic
    assert not any(d.endswith(("__name", "__country")) or "__is_" in d for d in dims)


@pytest.mark.parametrize("sample", ["bazaar", "helpdesk", "lending"])
def test_sample_follow_ups_name_only_the_projects_dimensions(
    sample: str, request: pytest.FixtureRequest
) -> None:
    project: Project = request.getfixturevalue(sample)
    for metric in sorted(project.model.metrics)[:6]:
        if not any(d.type == "categorical" for d in project.dimensions(metric)):
            continue
        dims = _follow_ups(project, metric)
        _own(project, metric, dims)
        assert not any(DEMO_WORDS.search(d) for d in dims), dims


@pytest.mark.parametrize("sample", ["demo", "bazaar", "helpdesk", "lending"])
def test_define_example_is_one_of_the_projects_described_metrics(
    sample: str, request: pytest.FixtureRequest
) -> None:
    project: Project = request.getfixturevalue(sample)
    example = define_example(project.model)
    assert example is not None
    metric = project.model.metrics[example["metric"]]
    assert example["name"] == f"my_{metric.name}" and example["name"] not in project.model.metrics
    assert example["definition"] and example["definition"] in " ".join(metric.description.split())
    assert str(metric.meta.get("status") or "published") in {"certified", "published"}
    if sample != "demo":
        assert not DEMO_WORDS.search(str(example)), example


def test_demo_define_example_shows_a_rule_read(demo: Project) -> None:
    example = define_example(demo.model)
    assert example is not None and example["metric"] == "churned_customers"
    assert example["rules"] == ["Only status canceled"]  # its certified filter, in words


def test_filters_in_words() -> None:
    from metricmind.project.suggest import _rule

    assert _rule("{{ Dimension('invoice__is_paid') }} = true") == "Only paid"
    assert _rule("{{ Dimension('subscription__is_trial') }} = FALSE") == "Exclude trial"
    assert _rule("{{ Dimension('order__order_status') }} = 'completed'") == "Only order status completed"
    assert _rule("{{ Dimension('order__amount') }} > 5 and x") == ""  # not a simple rule: left out


def test_define_example_prefers_certified_and_is_none_without_descriptions(demo: Project) -> None:
    from dataclasses import replace

    model = demo.model
    certified = {
        n: replace(m, meta={**m.meta, "status": "certified" if n == "mrr" else "published"})
        for n, m in model.metrics.items()
    }
    example = define_example(replace(model, metrics=certified))
    assert example is not None and example["metric"] == "mrr"
    bare = {n: replace(m, description="") for n, m in model.metrics.items()}
    assert define_example(replace(model, metrics=bare)) is None


def test_cli_follow_ups_on_helpdesk_use_its_own_words(helpdesk_dir: Path, helpdesk: Project) -> None:
    metric = sorted(helpdesk.model.metrics)[0]
    label = helpdesk.model.metrics[metric].label or metric
    result = CliRunner().invoke(
        app, ["ask", "-p", str(helpdesk_dir), "--as-of", "2024-07-01", "--run", f"{label} last quarter"]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    suggestions = result.stdout.split("You could also ask", 1)[-1]
    assert "You could also ask" in result.stdout and not DEMO_WORDS.search(suggestions), suggestions


HELP_WORDS = re.compile(r"\b(mrr|arr|customer__segment|customer__region|SMB|EMEA|invoice_revenue)\b", re.I)


def test_mcp_tool_descriptions_and_cli_help_carry_no_demo_names(bazaar: Project) -> None:
    import anyio

    from metricmind.interfaces.mcpserver.server import build_server

    server = build_server(bazaar)

    async def texts() -> list[str]:
        tools = await server.list_tools()
        return [f"{t.name}: {t.description} {t.model_dump()}" for t in tools]

    described = anyio.run(texts)
    assert described and not [t for t in described if HELP_WORDS.search(t) and not t.startswith("analyze:")]
    for command in (["ask"], ["query"], ["learn", "wrong"]):
        result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
        if result.exit_code != 0:
            continue  # a command this build names otherwise
        assert not HELP_WORDS.search(result.stdout), (command, result.stdout)


def test_web_define_page_offers_the_projects_own_example(helpdesk: Project) -> None:
    from fastapi.testclient import TestClient

    from metricmind.interfaces.web.app import create_app

    client = TestClient(create_app(helpdesk), base_url="http://localhost")
    data = client.get("/define", params={"format": "json"}).json()
    assert (
        data["example"] == define_example(helpdesk.model)
        and data["example"]["metric"] in helpdesk.model.metrics
    )
    page = client.get("/define").text
    assert 'id="fill-example"' in page and data["example"]["label"] in page
    assert not HELP_WORDS.search(" ".join(re.findall(r'placeholder="([^"]*)"', page)))
