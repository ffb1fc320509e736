"""The warehouse's values travel with the model Define reads, never in a registry beside it (issue 12).

``Project.analyze_definition`` reads the values of the dimensions that declare none (``touchpoint__campaign``
in the demo) through ``Project.define_model()``; a bare ``analyze`` over ``project.model`` knows only the
declared ones. Before, the project path recorded the values in a module-global registry keyed by the model,
so a bare analysis read differently once any project analysis had run in the process, and the CLI and web
read "only all the saas summit campaigns" as ``customer__industry = Software`` (the campaign lost).

Checked here: two analyses in either order give equal proposals; values said as a group by their shared
words and their dimension's name are read as those values (demo, CLI, web, and another company's project),
each run on DuckDB against hand SQL.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.columns import table_values
from metricmind.define.everyvalue import mixed
from metricmind.define.extend import warehouse_columns
from metricmind.define.words import lexicon, observed, observing, stems
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.testing.lending import copy_lending
from tests.define import monthly
from tests.define.monthly import assert_same_as_hand
from tests.define.test_cli import cli
from tests.shared_demo import loaded_copy

demo = monthly.demo  # this file's own copy of the demo (a fixture)

SUMMIT = Definition("summit_touches", "Marketing touchpoints", ("only all the saas summit campaigns",))
SUMMIT_HAND = """select m.month, count(t.touchpoint_id) from months m
    left join fct_marketing_touchpoints_canonical t
      on date_trunc('month', t.touched_at) = m.month and t.campaign like 'saas_summit%'
    group by 1 order by 1"""
EMEA = Definition("emea_paying", "Distinct paying customers in EMEA at the end of each month", ("EMEA only",))


def _reading(p: Proposal) -> dict[str, Any]:
    """Everything a proposal says except how long it took."""
    out = p.to_dict()
    out.pop("elapsed_ms", None)
    return out


@pytest.fixture(scope="module")
def lending(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "lending", copy_lending) as project:
        yield project


def test_two_analyses_read_the_same_in_either_order(demo: Project) -> None:
    # a bare analysis (declared values only) and the project's (with the warehouse's), in both orders, each
    # on a project opened afresh: nothing one leaves behind changes what the other reads
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "project": []}
    for order in (("bare", "project"), ("project", "bare")):
        with Project.load(demo.root) as project:
            for kind in order:
                for d in (SUMMIT, EMEA):
                    got = project.analyze_definition(d) if kind == "project" else analyze(d, project.model)
                    runs[kind].append(_reading(got))
    for kind, seen in runs.items():
        assert seen[:2] == seen[2:], kind
    assert runs["bare"][0] != runs["project"][0]  # the values, given explicitly, are what differs


def test_the_values_travel_with_the_model(demo: Project) -> None:
    values = demo.dimension_values()
    held = demo.define_model()
    assert observed(held) == values and observed(demo.model) == {}
    assert held is demo.define_model()  # kept for the project's life while the values are unchanged
    assert observing(held, values) is held and observing(held, None) == demo.model
    assert _reading(analyze(SUMMIT, demo.model, observed=values)) == _reading(demo.analyze_definition(SUMMIT))


def test_values_said_by_their_shared_words_are_read_as_those_values(demo: Project) -> None:
    p = demo.analyze_definition(SUMMIT)
    assert p.refused is None and p.rules[0].status == "filter", p.rules
    assert "touchpoint__campaign" in str(p.metric) and "customer__industry" not in str(p.metric), p.metric
    assert_same_as_hand(demo, p, SUMMIT_HAND, absolute=0.0, relative=1e-6)


def test_without_the_values_the_table_s_column_reads_the_group(demo: Project) -> None:
    # a bare model with the table's columns and values: the same rows, through the column
    columns = warehouse_columns(demo.warehouse)
    p = analyze(SUMMIT, demo.model, columns=columns, values=table_values(demo.warehouse, demo.model, columns))
    assert p.rules[0].status == "filter" and "saas_summit_2024" in p.rules[0].reason, p.rules
    assert_same_as_hand(demo, p, SUMMIT_HAND, absolute=0.0, relative=1e-6)
    # and with nothing but the model, the words are not read as another dimension's value
    bare = analyze(SUMMIT, demo.model)
    assert bare.refused or any(r.status == "unread" for r in bare.rules), bare.rules


def test_the_cli_and_the_web_read_the_group(demo: Project, tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(demo.root, root, ignore=shutil.ignore_patterns(".metricmind"))
    args = ["define", SUMMIT.name, "-d", SUMMIT.text, "-r", SUMMIT.rules[0], "--json"]
    done = cli(*args, cwd=root)
    assert done.returncode == 0, done.stderr
    said_cli = json.loads(done.stdout)
    with TestClient(create_app(demo), base_url="http://localhost") as client:
        body = {"name": SUMMIT.name, "definition": SUMMIT.text, "rules": list(SUMMIT.rules)}
        web = client.post("/api/define/analyze", json=body).json()["proposal"]
    want = demo.analyze_definition(SUMMIT)
    for said in (said_cli, web):
        assert said["metric"] == want.metric, said["rules"]
        assert [r["status"] for r in said["rules"]] == ["filter"]


@pytest.mark.parametrize(
    ("rule", "hand"),
    [
        ("Only all the app channels", "channel in ('android_app', 'ios_app')"),
        ("Exclude all the app application channels", "channel not in ('android_app', 'ios_app')"),
    ],
)
def test_a_group_of_values_on_another_project(lending: Project, rule: str, hand: str) -> None:
    p = lending.analyze_definition(Definition("x", "Loan applications each month", (rule,)))
    assert p.refused is None and [r.status for r in p.rules] == ["filter"], p.rules
    assert_same_as_hand(
        lending,
        p,
        f"""select m.month, count(a.application_id) from months m
            left join prod.fct_applications a
              on date_trunc('month', a.applied_at) = m.month and a.application_{hand}
            group by 1 order by 1""",
    )


def test_a_word_that_is_a_whole_value_names_that_value_not_a_group(lending: Project) -> None:
    # "web" is itself a channel: the rule keeps web, never the values that merely hold the word
    p = lending.analyze_definition(
        Definition("x", "Loan applications each month", ("Only all the web channels",))
    )
    assert "android_app" not in str(p.metric) and "'web'" in str(p.metric), p.metric


def _unanswered(p: Proposal) -> bool:
    return p.refused is not None or p.metric is None or any(r.status == "unread" for r in p.rules)


@pytest.mark.parametrize(
    "rule",
    [
        "campaign linkedin_retargeting only",
        "Only the roadshow_2021 campaign",
        "Exclude the webinar_series_emea campaign",
    ],
)
def test_a_name_written_as_one_identifier_is_never_read_by_a_part(demo: Project, rule: str) -> None:
    # "retargeting" alone is a loose name of meta_retargeting (a value the warehouse holds), "2021" of nothing:
    # an identifier the catalog does not have is a value the person believes exists, never a part of another
    p = demo.analyze_definition(Definition("x", "Marketing touchpoints", (rule,)))
    assert _unanswered(p), (p.metric, p.rules)
    assert "meta_retargeting" not in str(p.metric) and "webinar_series'" not in str(p.metric), p.metric


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Loans funded each month", "Only the personal_loan_plus product"),
        ("Loan applications each month", "Only the web_mobile channel"),
    ],
)
def test_an_unknown_identifier_on_another_project(lending: Project, text: str, rule: str) -> None:
    # read through the lexicon (the warehouse's values) and through the table's columns alike
    p = lending.analyze_definition(Definition("x", text, (rule,)))
    assert _unanswered(p), (p.metric, p.rules)
    assert "personal_loan'" not in str(p.metric) and "'web'" not in str(p.metric), p.metric


def test_a_known_identifier_is_still_read(demo: Project) -> None:
    p = demo.analyze_definition(
        Definition("x", "Marketing touchpoints", ("Only the meta_retargeting campaign",))
    )
    assert [r.status for r in p.rules] == ["filter"], p.rules
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(t.touchpoint_id) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.campaign = 'meta_retargeting'
           group by 1 order by 1""",
    )


def test_a_flag_s_yes_on_a_source_its_own_words_call_no_is_unread(demo: Project) -> None:
    # `active_customers` is "Number of paying customers", and the project says "paying" is is_trial = false:
    # "trial customers" read as its is_trial = true keeps what it says it is not (it was answered, with no rows)
    p = demo.analyze_definition(Definition("x", "trial customers in APAC each month", ("APAC only",)))
    if p.metric is not None and p.refused is None and "active_customers" in str(p.metric):
        assert any(r.status == "unread" and "paying" in r.reason for r in p.rules), p.rules
    assert "is_trial') }} = true" not in str(p.metric) or _unanswered(p), p.metric


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("Manual collections each month", ("Only autopay instalments",)),
        ("Manual collections of autopay instalments each month", ()),
    ],
)
def test_a_flag_s_yes_against_the_source_s_own_words_on_another_project(
    tmp_path: Path, text: str, rules: tuple[str, ...]
) -> None:
    # lending with "manual" said to be is_autopay = false, and a metric of manual instalments: keeping
    # autopay ones (a rule, or the definition's word) keeps what the metric says it is not
    root = copy_lending(tmp_path / "lending")
    sm = root / "models" / "semantic" / "payments.yml"
    sm.write_text(
        sm.read_text(encoding="utf-8")
        .replace(
            "      - name: is_autopay\n        type: categorical\n",
            "      - name: is_autopay\n        type: categorical\n"
            '        config: {meta: {value_aliases: {"false": [manual, manually paid]}}}\n',
        )
        .replace(
            "    measures:\n",
            "    measures:\n      - name: manual_amount\n        agg: sum\n"
            "        expr: case when is_autopay then 0 else amount_cents / 100.0 end\n",
            1,
        ),
        encoding="utf-8",
    )
    metrics = root / "models" / "metrics" / "lending_metrics.yml"
    metrics.write_text(
        metrics.read_text(encoding="utf-8").replace(
            "metrics:\n",
            "metrics:\n  - name: manual_collections\n    label: Manual collections\n"
            "    description: Manual instalments received, in dollars.\n    type: simple\n"
            "    type_params:\n      measure: manual_amount\n",
            1,
        ),
        encoding="utf-8",
    )
    with Project.load(root) as project:
        assert "manual_collections" in project.model.metrics
        p = project.analyze_definition(Definition("x", text, rules))
        assert _unanswered(p), (p.metric, p.rules)
        assert "Manual instalments" in (p.message or "") + " ".join(r.reason for r in p.rules)


def test_a_value_read_by_part_of_its_words_beside_another_value_s_word_is_not_read(demo: Project) -> None:
    # "retargeting" alone reads meta_retargeting; "LinkedIn retargeting" names a campaign that combines two
    # (linkedin_leadgen's word and meta_retargeting's): never read as meta_retargeting
    for rules in ((), ("allocated spend by touch date",)):
        p = demo.analyze_definition(Definition("x", "Spend on the LinkedIn retargeting campaign", rules))
        assert "meta_retargeting" not in str(p.metric), (p.metric, p.rules)
    # an alias is a name of its own, not a part: "late" of past_due beside "paid" is no mix
    late = stems("invoices are not late paid")
    assert not mixed(
        late, (late.index("late"), 1), "invoice__status", "past_due", lexicon(demo.define_model())
    )
    alone = demo.analyze_definition(Definition("x", "Touches of the retargeting campaign"))
    assert "meta_retargeting" in str(alone.metric), alone.rules
    assert_same_as_hand(
        demo,
        alone,
        """select m.month, count(t.touchpoint_id) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.campaign = 'meta_retargeting'
           group by 1 order by 1""",
    )


def test_a_mixed_value_on_another_project_s_lexicon(lending: Project) -> None:
    lx = lexicon(lending.define_model())
    dim = "application__application_channel"
    words = stems("only the partner android channel")
    at = words.index("android")
    assert mixed(words, (at, 1), dim, "android_app", lx)  # "partner" is partner_api's word
    assert not mixed(stems("only the android channel"), (2, 1), dim, "android_app", lx)
    assert not mixed(stems("only the android app channel"), (2, 2), dim, "android_app", lx)  # said in full
