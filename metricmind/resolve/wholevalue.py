"""A word that is one dimension's whole value and only part of another's ("antwerpen": the city Antwerpen, and the
first word of the hub "Antwerpen Noord"): the whole value is meant. Read from the values the catalog holds.
"""

from __future__ import annotations

from metricmind.resolve.lexicon import Entry
from metricmind.resolve.text import stems


def whole_values(entries: list[Entry], said: tuple[str, ...]) -> list[Entry]:
    """The value ``entries`` whose value is all of the words ``said`` (their stems), when some are and some are
    not; else ``entries`` as they are.
    """
    values = [e for e in entries if e.kind == "value"]
    whole = [e for e in values if stems(e.target.split("=", 1)[1].replace("_", " ")) == said]
    if not whole or len(whole) == len(values):
        return entries
    return [e for e in entries if e.kind != "value" or e in whole]
