"""``python -m metricmind`` runs the command line."""

from __future__ import annotations

from metricmind.interfaces.cli import main

main()
