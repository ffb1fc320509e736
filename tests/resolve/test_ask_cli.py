"""``metricmind ask``: the --json shape, the plain reading, --run answers, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app

runner = CliRunner()


def ask(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["ask", *args, "-p", str(root)])
    return result.exit_code, result.stdout, result.stderr


def test_json(resolve_demo_dir: Path) -> None:
    code, out, _ = ask(resolve_demo_dir, "MRR by segment last quarter", "--as-of", "2026-07-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["answerable"] is True and data["reason"] is None
    assert data["metrics"] == ["mrr"]
    assert data["group_by"] == [{"name": "customer__segment", "grain": None}]
    assert data["time_range"] == {"start": "2026-04-01", "end": "2026-07-01"}
    assert data["filters"] == [] and data["order_by"] == [] and data["limit"] is None
    assert data["comparison"] is None and data["spans"]["metrics"][0]["text"] == "MRR"


def test_refusal_json(resolve_demo_dir: Path) -> None:
    code, out, _ = ask(resolve_demo_dir, "employee headcount by department", "--json")
    data = json.loads(out)
    assert code == 0 and data["answerable"] is False and data["reason"] and data["nearest"]


def test_plain_reading_shows_the_query(resolve_demo_dir: Path) -> None:
    code, out, _ = ask(resolve_demo_dir, "revenue in Europe by month this year", "--as-of", "2026-06-30")
    assert code == 0
    assert "'Europe'" in out and "customer__region=EMEA" in out
    assert "metricmind query --metrics invoice_revenue --group-by metric_time__month" in out
    assert "--start 2026-01-01 --end 2026-07-01" in out


def test_run_answers_like_an_analyst(resolve_demo_dir: Path) -> None:
    code, out, _ = ask(
        resolve_demo_dir, "How did MRR change last quarter by segment?", "--as-of", "2026-07-01", "--run"
    )
    assert code == 0, out
    assert "Enterprise" in out and "$" in out and "%" in out  # figures and the change
    assert (
        "Dates: Q2 2026 (1 April to 30 June 2026); compared with Q1 2026 (1 January to 31 March 2026)" in out
    )
    assert out.startswith("Reading: MRR by customer segment, over Q2 2026")
    assert out.count('metricmind ask "') >= 2  # follow-ups
    code, out, _ = ask(
        resolve_demo_dir, "new customers last month", "--as-of", "2026-07-01", "--run", "--json"
    )
    data = json.loads(out)
    assert data["result"]["columns"] == ["new_customers"] and len(data["result"]["rows"]) == 1


def test_bad_as_of(resolve_demo_dir: Path) -> None:
    code, _, err = ask(resolve_demo_dir, "MRR", "--as-of", "last tuesday")
    assert code == 2 and "is not a date" in err and "YYYY-MM-DD" in err


def test_run_explains_snapshots(resolve_demo_dir: Path) -> None:
    code, out, _ = ask(
        resolve_demo_dir, "ARR and new customers last quarter", "--as-of", "2026-07-01", "--run"
    )
    assert code == 0 and "ARR: a snapshot" in out and "New customers: a snapshot" not in out


def test_explain_answers_with_totals_trend_dates_and_assumptions(resolve_demo_dir: Path) -> None:
    code, out, _ = ask(
        resolve_demo_dir, "new mrr by segment last quarter", "--as-of", "2026-07-01", "--explain"
    )
    assert code == 0, out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()}

    def dollars(line: str) -> int:
        return int(line.split()[-1].strip("$").replace(",", ""))

    figures = [dollars(rows[s]) for s in ("SMB", "Mid-Market", "Enterprise")]
    assert abs(dollars(rows["Total"]) - sum(figures)) <= 2  # the groups add up (each rounded to $1)
    assert "over Q2 2026 (1 April to 30 June 2026)" in out and "How each word was read:" in out
    code, out, _ = ask(resolve_demo_dir, "MRR by month this year", "--as-of", "2026-07-01", "--explain")
    assert code == 0 and "MRR went from $" in out and "in January 2026 to $" in out  # a trend's change
    assert "the last period changed" in out and "against May 2026" in out
    assert "Total" not in out  # a snapshot over months does not add up
    code, out, _ = ask(resolve_demo_dir, "active customers by region", "--as-of", "2026-07-01", "--explain")
    assert "Assumed: no period named: all recorded history" in out
