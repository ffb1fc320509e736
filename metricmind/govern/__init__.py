"""Canonical-dataset governance: models behind metrics read canonical datasets, grains are unique,
joins are many-to-one, datasets have an owner and an SLA and are fresh; what depends on a dataset.

See docs/govern.md. The project facade runs it (``Project.govern``), the CLI prints it
(``metricmind govern``), catalog approvals and the nightly job call it.
"""

from __future__ import annotations

from metricmind.govern.findings import CODES, Finding, Report
from metricmind.govern.validator import resolve_as_of, validate

__all__ = ["CODES", "Finding", "Report", "resolve_as_of", "validate"]
