"""Values named loosely: "Aussie companies", "German customers", "the States", "paid channels".

Two kinds the catalog's values and aliases do not list:

- **demonyms and nicknames** of a country ("aussie", "german", "the states"), read as the country value
  when a dimension has it among its values;
- **a word several values of one dimension begin with**, before that dimension's noun ("paid channels"
  → ``paid_search`` and ``paid_social``), read as all of them.
"""

from __future__ import annotations

from metricmind.resolve.text import Token

DEMONYMS = {
    "american": "United States",
    "states": "United States",
    "canadian": "Canada",
    "british": "United Kingdom",
    "brit": "United Kingdom",
    "english": "United Kingdom",
    "german": "Germany",
    "french": "France",
    "dutch": "Netherlands",
    "spanish": "Spain",
    "swedish": "Sweden",
    "emirati": "United Arab Emirates",
    "australian": "Australia",
    "aussie": "Australia",
    "indian": "India",
    "singaporean": "Singapore",
    "japanese": "Japan",
    "chinese": "China",
    "brazilian": "Brazil",
    "mexican": "Mexico",
    "italian": "Italy",
    "irish": "Ireland",
    "swiss": "Switzerland",
    "norwegian": "Norway",
    "danish": "Denmark",
    "finnish": "Finland",
    "polish": "Poland",
    "korean": "South Korea",
    "belgian": "Belgium",
    "austrian": "Austria",
    "portuguese": "Portugal",
    "israeli": "Israel",
    "kiwi": "New Zealand",
    "argentinian": "Argentina",
    "chilean": "Chile",
    "colombian": "Colombia",
    "nigerian": "Nigeria",
    "kenyan": "Kenya",
    "saudi": "Saudi Arabia",
}
"""Adjective (or nickname) → the country's usual English name; "states" only as "the states"."""


def demonym(tokens: list[Token], i: int, values: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """``(dimension, value)`` when the word at ``i`` names a country some dimension has as a value."""
    word = tokens[i].norm
    country = DEMONYMS.get(word) or DEMONYMS.get(word.rstrip("s"))
    if country is None or (word == "states" and (i == 0 or tokens[i - 1].norm != "the")):
        return None
    for dim, vals in values.items():
        if country in vals:
            return dim, country
    return None


def prefixed(word: str, dim_values: tuple[str, ...]) -> list[str]:
    """The values of a dimension that begin with ``word`` as a word of their own ("paid" → paid_search,
    paid_social); fewer than two means none.
    """
    found = [v for v in dim_values if v.lower().replace("-", "_").replace(" ", "_").startswith(word + "_")]
    return found if len(found) >= 2 else []
