"""The attribution reading: statements computed from the numbers of hand-built results."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from metricmind.analyses import analyze_data
from metricmind.analyses.reading import narrate_attribution, shares, swings
from metricmind.interfaces.cli.app import app
from tests.analyses.test_attribution import CASE_A


def result(revenue: dict[str, dict[str, float]], conversions: int = 10, **extra: Any) -> dict[str, Any]:
    """An attribution result with ``revenue`` credits per model (conversions proportional)."""
    channels = sorted(next(iter(revenue.values())))
    total = sum(next(iter(revenue.values())).values())
    models: dict[str, Any] = {}
    for model, credits in revenue.items():
        models[model] = {
            "revenue": dict(credits),
            "conversions": {c: conversions * v / total if total else 0.0 for c, v in credits.items()},
        }
    out: dict[str, Any] = {
        "total_conversions": conversions,
        "total_revenue": float(total),
        "channels": channels,
        "models": models,
    }
    out.update(extra)
    return out


OPEN_CLOSE = result(
    {
        "linear": {"partner": 30.0, "paid_search": 30.0, "email": 40.0},
        "first_touch": {"partner": 70.0, "paid_search": 0.0, "email": 30.0},
        "last_touch": {"partner": 0.0, "paid_search": 42.0, "email": 58.0},
    }
)


def test_openers_and_closers_against_linear() -> None:
    text = narrate_attribution(OPEN_CLOSE)
    assert text.startswith("Splitting 100 of revenue from 10 conversions over 3 channels, ")
    assert "email leads under 2 of 3 models (it earns 40% under linear)." in text
    assert (
        "Under first touch, partner earns most (70%), 40 points more than under linear, because it opens "
        "journeys; paid_search loses 30 points because it rarely opens journeys." in text
    )
    assert (
        "Under last touch, email earns most (58%), 18 points more than under linear, because it closes "
        "journeys; partner loses 30 points because it rarely closes journeys." in text
    )
    assert (
        "Of all channels, partner depends most on the model, from 0% under last touch to 70% under first "
        "touch, while email is the steadiest (within 28 points)." in text
    )
    assert "Under linear" not in text  # the baseline is not compared with itself


def test_swings_are_the_largest_moves() -> None:
    moves = swings(OPEN_CLOSE, "revenue")
    assert set(moves) == {"first_touch", "last_touch"}
    gain, loss = moves["last_touch"]
    assert (gain.channel, round(gain.points, 9)) == ("email", 18.0)
    assert (loss.channel, round(loss.points, 9)) == ("partner", -30.0)


def test_without_linear_the_baseline_is_the_average_and_markov_says_its_removal_effect() -> None:
    data = result(
        {
            "first_touch": {"a": 80.0, "b": 20.0},
            "markov": {"a": 40.0, "b": 60.0},
        },
        conversions=4,
    )
    data["models"]["markov"]["removal_effects"] = {"a": 0.5, "b": 0.75}
    data["models"]["markov"]["p_conversion"] = 0.4
    text = narrate_attribution(data)
    # the average share of a is (80 + 40) / 2 = 60%: first touch +20 points, Markov -20
    assert (
        "Under first touch, a earns most (80%), 20 points more than its average over the models, because it "
        "opens journeys; b loses 20 points because it rarely opens journeys." in text
    )
    assert (
        "Under Markov, b earns most (60%), 20 points more than its average over the models, because " in text
    )
    assert (
        "removing it breaks more paths to conversion than its share of touches suggests (removal effect 0.75)"
        in text
    )
    assert "steadiest" not in text  # with two channels both move alike
    assert (
        "a loses 20 points because removing it breaks fewer paths" in text and "(removal effect 0.50)" in text
    )


def test_conversions_when_there_is_no_revenue_and_small_moves_are_quiet() -> None:
    data = result({"linear": {"a": 0.0, "b": 0.0}, "last_touch": {"a": 0.0, "b": 0.0}}, conversions=3)
    for model, split in (("linear", (1.5, 1.5)), ("last_touch", (1.52, 1.48))):
        data["models"][model]["conversions"] = dict(zip(("a", "b"), split, strict=True))
    text = narrate_attribution(data)
    assert text.startswith("Splitting 3 conversions over 2 channels")
    # last touch moves a by 0.67 points: under the 1-point threshold
    assert "no channel moves by 1 point or more against linear" in text
    assert not re.search(r"(gains|loses) \d", text)


def test_nothing_converted_and_one_channel() -> None:
    empty = result({"linear": {"a": 0.0, "b": 0.0}}, conversions=0)
    assert narrate_attribution(empty).startswith("No journey converted")
    single = result({"linear": {"a": 5.0}, "first_touch": {"a": 5.0}}, conversions=1)
    assert narrate_attribution(single) == (
        "All of the 5 of revenue from 1 conversions goes to a under every model: it is the only channel."
    )


def test_every_stated_leader_and_share_matches_the_numbers() -> None:
    computed = analyze_data("attribution", CASE_A)
    text = narrate_attribution(computed)
    by_model = shares(computed, "revenue")
    labels = {"first touch": "first_touch", "last touch": "last_touch", "position-based": "position_based"}
    labels |= {"time decay": "time_decay", "Shapley": "shapley", "Markov": "markov"}
    stated = re.findall(r"Under ([\w -]+?), (\w+) earns most \((\d+)%\)", text)
    assert len(stated) == 6  # every model but linear
    for label, channel, pct in stated:
        share = by_model[labels[label]]
        assert max(share.values()) == share[channel]
        assert round(share[channel] * 100) == int(pct)


def test_the_cli_table_prints_the_reading(tmp_path: Path) -> None:
    import json

    path = tmp_path / "journeys.json"
    path.write_text(json.dumps(CASE_A))
    done = CliRunner().invoke(app, ["analyze", "attribution", "--input", str(path)])
    assert done.exit_code == 0, done.stderr
    reading = done.stdout.split("\nReading\n", 1)[1].strip()
    assert reading == narrate_attribution(analyze_data("attribution", CASE_A))
    json_out = CliRunner().invoke(app, ["analyze", "attribution", "--input", str(path), "--format", "json"])
    assert "Reading" not in json_out.stdout
