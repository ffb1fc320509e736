"""Every CLI command and every setting is documented."""

from __future__ import annotations

from pathlib import Path

import typer

from metricmind.config import SETTINGS
from metricmind.interfaces.cli.app import app

DOCS = Path(__file__).parents[1] / "docs"


def all_docs() -> str:
    return "\n".join(p.read_text() for p in DOCS.glob("*.md"))


def command_names(group: typer.Typer, prefix: str = "metricmind") -> list[str]:
    names = []
    for info in group.registered_commands:
        name = info.name or (info.callback.__name__.rstrip("_").replace("_", "-") if info.callback else "")
        names.append(f"{prefix} {name}")
    for sub in group.registered_groups:
        if sub.typer_instance is not None and sub.name:
            names.append(f"{prefix} {sub.name}")
            names += command_names(sub.typer_instance, f"{prefix} {sub.name}")
    return names


def test_every_command_is_documented() -> None:
    text = all_docs()
    missing = [name for name in command_names(app) if name not in text]
    assert not missing, f"undocumented commands: {missing}"


def test_every_setting_is_documented() -> None:
    text = all_docs()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"undocumented settings: {missing}"
