"""The ``metricmind`` command line (typer). Thin: parse arguments → ``Project`` → render."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the ``metricmind`` console script."""
    try:
        from metricmind.interfaces.cli.app import app
    except ImportError as exc:  # pragma: no cover - depends on the install
        sys.stderr.write(
            f"metricmind: the command line needs extra packages ({exc.name} is missing).\n"
            "Install them with: pip install 'metricmind[cli,duckdb]'\n"
        )
        raise SystemExit(2) from exc
    app()
