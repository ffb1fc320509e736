"""``metricmind analyze … --input FILE``: the JSON contract, tables, and every bad input refused with its row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from tests.analyses.helpers import journey, subs
from tests.analyses.test_attribution import CASE_A

runner = CliRunner()
GOOD_TOUCH = [("email", "2026-01-01T00:00:00Z")]


def run(tmp_path: Path, analysis: str, doc: Any, *args: str) -> tuple[int, str, str]:
    """Write ``doc`` to a file and run the command on it; (exit code, stdout, stderr)."""
    path = tmp_path / "input.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    result = runner.invoke(app, ["analyze", analysis, "--input", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_through_the_real_command(tmp_path: Path) -> None:
    path = tmp_path / "journeys.json"
    path.write_text(json.dumps(CASE_A))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "metricmind",
            "analyze",
            "attribution",
            "--input",
            str(path),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["total_conversions", "total_revenue", "channels", "models"]
    assert out["channels"] == ["ads", "email", "social"]
    assert set(out["models"]) == {
        "first_touch",
        "last_touch",
        "linear",
        "position_based",
        "time_decay",
        "shapley",
        "markov",
    }
    assert set(out["models"]["markov"]) == {"conversions", "revenue", "p_conversion", "removal_effects"}
    assert out["models"]["linear"]["revenue"] == {"ads": 35.0, "email": 65.0, "social": 5.0}


def test_models_option_and_table_output(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "attribution", CASE_A, "--models", "linear,markov", "--format", "json")
    assert code == 0 and set(json.loads(out)["models"]) == {"linear", "markov"}
    code, out, _ = run(tmp_path, "attribution", CASE_A, "--models", "linear", "--models", "shapley")
    assert code == 0
    assert "Attributed revenue (total 105 from 3 conversions)" in out
    assert out.splitlines()[1].split() == ["channel", "linear", "shapley"]


@pytest.mark.parametrize(
    ("analysis", "doc", "expected"),
    [
        ("mrr-movements", subs([("a", "2026-01", 5)]), "Net and gross"),
        ("lifecycle", {"activity": [{"user_id": 1, "month": "2026-01"}]}, "Lifecycle"),
        ("cohorts", subs([("a", "2026-01", 5), ("a", "2026-02", 6)]), "Revenue retention"),
    ],
)
def test_other_analyses_print_tables(tmp_path: Path, analysis: str, doc: Any, expected: str) -> None:
    if analysis == "mrr-movements":
        doc["windows"] = [{"start_month": "2026-01", "end_month": "2026-01"}]
    code, out, err = run(tmp_path, analysis, doc)
    assert code == 0, err
    assert expected in out


BAD: list[tuple[str, Any, str]] = [
    ("attribution", "", "is empty"),
    ("attribution", "  \n", "is empty"),
    ("attribution", '{"journeys": [,]}', "is not JSON"),
    ("attribution", [], "not an object"),
    ("attribution", {}, "has no 'journeys'"),
    ("attribution", {"journeys": []}, "journeys is empty"),
    ("attribution", {"journeys": [journey("a", [])]}, "journeys[0].touchpoints is empty"),
    (
        "attribution",
        {"journeys": [journey("a", GOOD_TOUCH), journey("b", [("email", "2026-01-05T10:00:00")])]},
        "journeys[1].touchpoints[0].ts is '2026-01-05T10:00:00', a timestamp without a time zone",
    ),
    (
        "attribution",
        {"journeys": [journey("a", [("email", "2026-01-05")])]},
        "journeys[0].touchpoints[0].ts is '2026-01-05', a timestamp without a time zone",
    ),
    ("attribution", {"journeys": [journey("a", [("email", "yesterday")])]}, "not an ISO 8601 timestamp"),
    (
        "attribution",
        {"journeys": [journey("a", GOOD_TOUCH), journey("b", [("Email", "2026-01-01T00:00:00Z")])]},
        "journeys[1].touchpoints[0].channel is 'Email' but journeys[0].touchpoints[0].channel is 'email'",
    ),
    ("attribution", {"journeys": [journey("a", [(" email", "2026-01-01T00:00:00Z")])]}, "surrounding spaces"),
    ("attribution", {"journeys": [journey("a", [("", "2026-01-01T00:00:00Z")])]}, "not a channel name"),
    (
        "attribution",
        {"journeys": [journey("a", [("emial", "2026-01-01T00:00:00Z")])], "channels": ["email"]},
        "journeys[0].touchpoints[0].channel 'emial' is not in channels",
    ),
    (
        "attribution",
        {"journeys": [journey("a", GOOD_TOUCH, conversion_ts="2025-12-31T00:00:00Z")]},
        "journeys[0].conversion_ts 2025-12-31T00:00:00Z is before a touchpoint",
    ),
    ("attribution", {"journeys": [journey("a", GOOD_TOUCH, revenue=-5)]}, "journeys[0].revenue is negative"),
    ("attribution", {"journeys": [journey("a", GOOD_TOUCH, revenue="5")]}, "journeys[0].revenue is '5'"),
    (
        "attribution",
        {"journeys": [journey("a", GOOD_TOUCH), journey("a", GOOD_TOUCH)]},
        "journeys[1].journey_id 'a' repeats journeys[0]",
    ),
    (
        "attribution",
        {"journeys": [journey("a", GOOD_TOUCH * 2)]},
        "journeys[0].touchpoints[1] repeats journeys[0].touchpoints[0]",
    ),
    (
        "attribution",
        {"journeys": [{"journey_id": "a", "touchpoints": [{"channel": "x", "ts": "2026-01-01T00:00:00Z"}]}]},
        "journeys[0].converted is None",
    ),
    (
        "attribution",
        {"journeys": [journey("a", GOOD_TOUCH)], "models": ["shapely"]},
        "Did you mean 'shapley'",
    ),
    ("attribution", {"journeys": [journey("a", GOOD_TOUCH)], "model": ["linear"]}, "unknown key 'model'"),
    ("attribution", {"journeys": [journey("a", GOOD_TOUCH)], "markov_order": 0}, "markov_order is 0"),
    (
        "attribution",
        {
            "journeys": [journey(str(i), [(f"c{i:02d}", "2026-01-01T00:00:00Z")]) for i in range(16)],
            "models": ["shapley_ordered"],
        },
        "limited to 15 channels",
    ),
    ("lifecycle", {"activity": []}, "activity is empty"),
    (
        "lifecycle",
        {"months": ["2026-02", "2026-01"], "activity": [{"user_id": 1, "month": "2026-01"}]},
        "months[1] '2026-01' is not after months[0]",
    ),
    (
        "lifecycle",
        {"months": ["2026-01", "2026-03"], "activity": [{"user_id": 1, "month": "2026-01"}]},
        "months[1] '2026-03' skips",
    ),
    (
        "lifecycle",
        {"months": ["2026-01"], "activity": [{"user_id": 1, "month": "2026-02"}]},
        "activity[0] is in a month outside months",
    ),
    (
        "lifecycle",
        {"activity": [{"user_id": 1, "month": "2026-13"}]},
        "activity[0].month is '2026-13', not a month",
    ),
    (
        "lifecycle",
        {"activity": [{"user_id": 1, "ts": "2026-01-01T10:00:00"}]},
        "activity[0].ts is '2026-01-01T10:00:00', a timestamp without a time zone",
    ),
    ("lifecycle", {"activity": [{"user_id": None, "month": "2026-01"}]}, "activity[0].user_id is None"),
    (
        "mrr-movements",
        subs([("a", "2026-01", 5), ("a", "2026-01", 7)]),
        "subscriptions[1] repeats subscriptions[0]",
    ),
    ("mrr-movements", subs([("a", "2026-01", -5)]), "subscriptions[0].mrr is negative"),
    (
        "mrr-movements",
        subs([("a", "2026-01", 5)], windows=[{"start_month": "2026-01", "end_month": "2026-05"}]),
        "windows[0].end_month '2026-05' is outside months",
    ),
    (
        "cohorts",
        subs([("a", "2026-01", 5)], months=["2026-02"]),
        "subscriptions[0] is in a month outside months",
    ),
    (
        "cohorts",
        {"subscriptions": [{"customer_id": "a", "month": "2026-01"}]},
        "subscriptions[0].mrr is None",
    ),
]


@pytest.mark.parametrize(("analysis", "doc", "message"), BAD, ids=[m[:40] for _, _, m in BAD])
def test_bad_input_is_refused_with_its_row(tmp_path: Path, analysis: str, doc: Any, message: str) -> None:
    code, out, err = run(tmp_path, analysis, doc, "--format", "json")
    assert code == 2, (out, err)
    assert out == ""
    assert message in err
    assert "hint:" in err


def test_options_for_project_mode_are_refused_with_a_file(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "attribution", CASE_A, "--start", "2026-01-01")
    assert code == 2 and "--start, --end and --by apply to project mode" in err
    code, _, err = run(tmp_path, "attribution", CASE_A, "--format", "xml")
    assert code == 2 and "--format 'xml'" in err
    code, _, err = run(tmp_path, "attribution", CASE_A, "--half-life", "0")
    assert code == 2 and "half-life" in err


def test_simultaneous_touches_with_their_own_ids_are_kept(tmp_path: Path) -> None:
    touches = [
        {"channel": "email", "ts": "2026-01-01T00:00:00Z", "touchpoint_id": 1},
        {"channel": "email", "ts": "2026-01-01T01:00:00+01:00", "touchpoint_id": 2},
        {"channel": "ads", "ts": "2026-01-01T00:00:00Z", "touchpoint_id": 3},
    ]
    doc = {"journeys": [{"journey_id": "a", "converted": True, "revenue": 9, "touchpoints": touches}]}
    code, out, err = run(tmp_path, "attribution", doc, "--format", "json", "--models", "linear")
    assert code == 0, err
    assert json.loads(out)["models"]["linear"]["revenue"] == {"ads": 3.0, "email": 6.0}
    doc["journeys"][0]["touchpoints"][1]["touchpoint_id"] = 1  # the same instant, the same row
    code, _, err = run(tmp_path, "attribution", doc)
    assert code == 2 and "journeys[0].touchpoints[1] repeats journeys[0].touchpoints[0]" in err


def test_markov_order_from_the_file_and_the_option(tmp_path: Path) -> None:
    doc = {**CASE_A, "models": ["markov"], "markov_order": 2}
    code, out, err = run(tmp_path, "attribution", doc, "--format", "json")
    assert code == 0, err
    second = json.loads(out)["models"]["markov"]
    code, out, _ = run(tmp_path, "attribution", doc, "--format", "json", "--markov-order", "1")
    first = json.loads(out)["models"]["markov"]
    expected = {"ads": 2 / 3, "email": 2 / 3, "social": 1 / 3}
    assert all(abs(first["removal_effects"][c] - v) < 1e-9 for c, v in expected.items())
    assert abs(second["p_conversion"] - 0.75) < 1e-9
    assert abs(sum(second["conversions"].values()) - 3) < 1e-9


@pytest.mark.parametrize(
    ("analysis", "doc"),
    [
        ("attribution", {**CASE_A, "description": "case A", "expected": {}}),
        ("cohorts", subs([("a", "2026-01", 5)], description="one customer", windows=[])),
        ("lifecycle", {"activity": [{"user_id": 1, "month": "2026-01"}], "notes": "x", "name": "y"}),
    ],
)
def test_unrelated_extra_keys_are_ignored(tmp_path: Path, analysis: str, doc: Any) -> None:
    code, _, err = run(tmp_path, analysis, doc, "--format", "json")
    assert code == 0, err
