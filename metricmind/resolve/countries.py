"""Country names for ISO 3166 two-letter codes, so a column of codes ("DE", "GB") answers to the names
people say ("Germany", "the UK"). Only for values observed in the warehouse that are such codes; values a
project declares carry their own aliases (``meta.value_aliases``).
"""

from __future__ import annotations

NAMES: dict[str, tuple[str, ...]] = {
    "US": ("united states", "usa", "america"),
    "GB": ("united kingdom", "uk", "britain", "great britain", "england"),
    "DE": ("germany",),
    "FR": ("france",),
    "NL": ("netherlands", "holland"),
    "ES": ("spain",),
    "IT": ("italy",),
    "IE": ("ireland",),
    "BE": ("belgium",),
    "CH": ("switzerland",),
    "AT": ("austria",),
    "SE": ("sweden",),
    "NO": ("norway",),
    "DK": ("denmark",),
    "FI": ("finland",),
    "PL": ("poland",),
    "PT": ("portugal",),
    "CA": ("canada",),
    "MX": ("mexico",),
    "BR": ("brazil",),
    "AR": ("argentina",),
    "AU": ("australia",),
    "NZ": ("new zealand",),
    "JP": ("japan",),
    "CN": ("china",),
    "IN": ("india",),
    "SG": ("singapore",),
    "KR": ("south korea", "korea"),
    "ZA": ("south africa",),
    "AE": ("united arab emirates", "uae"),
}


def country_names(values: list[str]) -> dict[str, tuple[str, ...]]:
    """Names for the values that are country codes, when most of the values are (a column of countries)."""
    codes = [v for v in values if v in NAMES]
    if len(codes) < 2 or len(codes) * 2 < len(values):
        return {}
    return {v: NAMES[v] for v in codes}
