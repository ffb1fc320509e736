"""The sales regions' usual acronyms said as places ("european accounts" for EMEA, "asia pac" for APAC, "the
americas" / "north america" for AMER): general business usage, not any catalog's words. A phrase reads as the
acronym only where a dimension holds that acronym as a value and the phrase names nothing else in the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable

REGION_WORDS: dict[str, tuple[str, ...]] = {
    "emea": ("europe", "european", "europeans"),
    "apac": ("asia", "asian", "asia pac", "asia pacific", "asiapac"),
    "amer": ("americas", "the americas", "north america", "north american", "n america"),
    "na": ("north america", "north american", "n america"),
    "latam": ("latin america", "latin american", "south america", "south american"),
}
"""Each acronym (lower case) and the places people say for it."""


def region_aliases(values: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The place phrases for each value of ``values`` that is a region acronym ("EMEA": "europe", …)."""
    return {v: REGION_WORDS[v.lower()] for v in values if v.lower() in REGION_WORDS}
