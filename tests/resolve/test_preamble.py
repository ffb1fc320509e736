"""Words before a dash are chat unless they ask something (``leftovers.preamble``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from metricmind.project import Project
from metricmind.resolve import Resolver

HELPDESK = Path(__file__).resolve().parents[2] / "metricmind" / "testing" / "projects" / "helpdesk"
DAY = dt.date(2025, 6, 18)


def test_chat_before_a_dash_is_ignored_but_a_question_is_read() -> None:
    helpdesk = Resolver(Project.load(HELPDESK, strict=False).model)
    chat = helpdesk.resolve("quick one - ticket volume last week", as_of=DAY)
    asked = helpdesk.resolve("how are walruses doing - ticket volume last week", as_of=DAY)
    assert chat.answerable and chat.confidence == 1.0 and not chat.notes
    assert asked.metrics == ["ticket_volume"] and asked.confidence < 0.8  # "walruses" is unexplained
    assert any("walruses" in n for n in asked.notes)
