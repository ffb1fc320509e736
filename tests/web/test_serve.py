"""``metricmind serve`` and the ``serve`` function ``metricmind demo --serve`` calls (uvicorn stubbed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from metricmind.interfaces.cli import commands_web
from metricmind.interfaces.cli.app import app


def test_serve_command(web_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(asgi: Any, host: str, port: int, **kwargs: Any) -> None:
        seen.update(app=asgi, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(app, ["serve", "-p", str(web_demo), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert "http://127.0.0.1:8123/" in result.output
    assert "/api/metrics" in seen["app"].openapi()["paths"]


def test_serve_missing_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "-p", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_demo_serve_prints_logins(
    web_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    commands_web.serve(project=target, host="127.0.0.1", port=8124)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8124/" in out and "Sign in" in out


def test_serve_schedules_the_nightly_job(
    web_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from metricmind.knowledge import schedule

    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    started: list[Any] = []
    real_start = schedule.NightlySchedule.start

    def start(self: Any) -> Any:
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(schedule.NightlySchedule, "start", start)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["serve", "-p", str(target), "--nightly-at", "02:30"])
    assert result.exit_code == 0, result.output
    assert "every day at 02:30" in result.output
    assert len(started) == 1 and started[0].at.hour == 2 and not started[0]._thread.is_alive()  # stopped
    bad = CliRunner().invoke(app, ["serve", "-p", str(target), "--nightly-at", "half past two"])
    assert bad.exit_code == 2 and "HH:MM" in bad.stderr
