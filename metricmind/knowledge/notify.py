"""Announcing proposals: a GitHub pull request (REST API) and a Slack incoming-webhook message.

Both are off unless configured; both use ``urllib`` only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from metricmind.errors import MetricmindError

TIMEOUT = 20.0


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST ``payload`` as JSON; the status and the decoded reply (text when not JSON)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "metricmind", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            body = reply.read().decode("utf-8", "replace")
            status = int(reply.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise MetricmindError(f"POST {url} answered {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise MetricmindError(f"cannot reach {url}: {exc}") from exc
    try:
        return status, json.loads(body) if body else None
    except json.JSONDecodeError:
        return status, body


def open_pull_request(
    api: str, repo: str, token: str | None, *, head: str, base: str, title: str, body: str
) -> dict[str, Any]:
    """Open a pull request ``head`` → ``base`` in ``repo`` (``owner/name``); its number and URL."""
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    _, reply = post_json(
        f"{api.rstrip('/')}/repos/{repo}/pulls",
        {"title": title, "head": head, "base": base, "body": body},
        headers,
    )
    reply = reply if isinstance(reply, dict) else {}
    return {"number": reply.get("number"), "url": reply.get("html_url")}


def slack(webhook: str, text: str) -> None:
    """Post ``text`` to a Slack incoming webhook."""
    post_json(webhook, {"text": text})
