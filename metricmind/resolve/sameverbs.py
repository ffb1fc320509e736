"""Verbs English uses for one event: a ticket closed is a ticket solved or resolved.

A metric named with one verb ("Solved tickets") is asked with another ("how many tickets did the team close"):
the modifier pass (``metricphrases``) finds a metric's longer phrase when its other words are in the question,
and reads each verb here as any of its group. The groups are the language's, not any catalog's.
"""

from __future__ import annotations

from metricmind.resolve.text import root

_GROUPS = (("close", "solve", "resolve"),)
"""Verbs that name one event in business English (each said in any of its forms)."""


def _forms(verb: str) -> set[str]:
    base = verb[:-1] if verb.endswith("e") else verb
    return {verb, f"{verb}s", f"{base}ed", f"{base}ing"}


def _roots() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for group in _GROUPS:
        roots = frozenset(root(f) for v in group for f in _forms(v))
        for r in roots:
            out[r] = roots
    return out


SAME_ROOTS = _roots()
"""Each verb form's root → the roots of every form of its group ("close" → "solv", "resolv", …)."""
