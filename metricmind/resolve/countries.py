"""Country names for ISO 3166 two-letter codes, so a column of codes ("DE", "GB") answers to the names
people say ("Germany", "the UK") and their adjectives ("German buyers"). Only for values observed in the warehouse that are such codes; values a
project declares carry their own aliases (``meta.value_aliases``).
"""

from __future__ import annotations

NAMES: dict[str, tuple[str, ...]] = {
    "US": ("united states", "usa", "america", "american"),
    "GB": ("united kingdom", "uk", "britain", "great britain", "england", "british"),
    "DE": ("germany", "german"),
    "FR": ("france", "french"),
    "NL": ("netherlands", "holland", "dutch"),
    "ES": ("spain", "spanish"),
    "IT": ("italy", "italian"),
    "IE": ("ireland", "irish"),
    "BE": ("belgium", "belgian"),
    "CH": ("switzerland", "swiss"),
    "AT": ("austria", "austrian"),
    "SE": ("sweden", "swedish"),
    "NO": ("norway", "norwegian"),
    "DK": ("denmark", "danish"),
    "FI": ("finland", "finnish"),
    "PL": ("poland", "polish"),
    "PT": ("portugal", "portuguese"),
    "CA": ("canada", "canadian"),
    "MX": ("mexico", "mexican"),
    "BR": ("brazil", "brazilian"),
    "AR": ("argentina", "argentinian"),
    "AU": ("australia", "australian"),
    "NZ": ("new zealand",),
    "JP": ("japan", "japanese"),
    "CN": ("china", "chinese"),
    "IN": ("india", "indian"),
    "SG": ("singapore", "singaporean"),
    "KR": ("south korea", "korea", "korean"),
    "ZA": ("south africa",),
    "AE": ("united arab emirates", "uae"),
}


def country_names(values: list[str]) -> dict[str, tuple[str, ...]]:
    """Names for the values that are country codes, when most of the values are (a column of countries)."""
    codes = [v for v in values if v in NAMES]
    if len(codes) < 2 or len(codes) * 2 < len(values):
        return {}
    return {v: NAMES[v] for v in codes}
