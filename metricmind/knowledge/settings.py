"""Settings of the knowledge graph and the nightly job (``knowledge.*`` in ``metricmind.yml``).

They follow ``metricmind.config``'s rules (environment ``METRICMIND_KNOWLEDGE_…`` first, then the
project file, then the default) and are documented in ``docs/knowledge.md``.
"""

from __future__ import annotations

import os
from typing import Any

from metricmind.config import Setting, file_value

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "knowledge.min_calls", 10, "Calls in the window before a query pattern or dimension use is proposed."
    ),
    Setting(
        "knowledge.window_days", 30, "Days of usage the nightly job looks at for proposals and rankings."
    ),
    Setting(
        "knowledge.deprecate_after_days",
        90,
        "A metric unused this long (with that much log history) is a deprecation candidate.",
    ),
    Setting("knowledge.trend_days", 7, "Length of the two periods compared to find trending metrics."),
    Setting(
        "knowledge.base_branch",
        None,
        "Branch proposals start from and approvals merge into; default the checked-out branch.",
    ),
    Setting(
        "knowledge.branch_prefix",
        "metricmind/proposals",
        "Prefix of the nightly proposal branch (`<prefix>-<date>`).",
    ),
    Setting(
        "knowledge.proposals_file",
        "models/metricmind_proposed.yml",
        "File (relative to the project) new metrics are written to.",
    ),
    Setting(
        "knowledge.git_remote",
        None,
        "Remote the proposal branch is pushed to before a pull request is opened.",
    ),
    Setting(
        "knowledge.github_repo",
        None,
        "`owner/name` of the GitHub repository to open pull requests in; off when unset.",
    ),
    Setting(
        "knowledge.github_token",
        None,
        "Token for the GitHub REST API (better given as METRICMIND_KNOWLEDGE_GITHUB_TOKEN).",
    ),
    Setting(
        "knowledge.github_api",
        "https://api.github.com",
        "Base URL of the GitHub REST API (GitHub Enterprise or a test server).",
    ),
    Setting(
        "knowledge.max_statement_bytes",
        100_000,
        "Longest logged statement (UTF-8 bytes) ingested from a query log; longer ones are skipped and counted.",
    ),
    Setting(
        "knowledge.slack_webhook", None, "Slack incoming-webhook URL to announce proposals; off when unset."
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def resolve(name: str, file_values: dict[str, Any] | None = None) -> Any:
    """The value of knowledge setting ``name``: environment, then the project file, then the default."""
    setting = _BY_NAME[name]
    env = os.environ.get(setting.env)
    if env is not None:
        return int(env) if isinstance(setting.default, int) else env
    return file_value(name, file_values, setting.default)
