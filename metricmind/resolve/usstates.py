"""US state names for two-letter postal codes, so a column of codes ("TX", "CA") answers to the names people
say ("Texas", "California"). General knowledge, like ``countries``: used only for values observed in the
warehouse when most of a column's values are state codes.
"""

from __future__ import annotations

STATES: dict[str, str] = {
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california",
    "CO": "colorado", "CT": "connecticut", "DE": "delaware", "FL": "florida", "GA": "georgia",
    "HI": "hawaii", "ID": "idaho", "IL": "illinois", "IN": "indiana", "IA": "iowa", "KS": "kansas",
    "KY": "kentucky", "LA": "louisiana", "ME": "maine", "MD": "maryland", "MA": "massachusetts",
    "MI": "michigan", "MN": "minnesota", "MS": "mississippi", "MO": "missouri", "MT": "montana",
    "NE": "nebraska", "NV": "nevada", "NH": "new hampshire", "NJ": "new jersey", "NM": "new mexico",
    "NY": "new york", "NC": "north carolina", "ND": "north dakota", "OH": "ohio", "OK": "oklahoma",
    "OR": "oregon", "PA": "pennsylvania", "RI": "rhode island", "SC": "south carolina",
    "SD": "south dakota", "TN": "tennessee", "TX": "texas", "UT": "utah", "VT": "vermont",
    "VA": "virginia", "WA": "washington", "WV": "west virginia", "WI": "wisconsin", "WY": "wyoming",
    "DC": "district of columbia",
}  # fmt: skip
"""Postal code → the state's name (lower case)."""


def state_names(values: list[str]) -> dict[str, str]:
    """Names for the values that are state codes, when most of the values are (a column of US states)."""
    codes = [v for v in values if v in STATES]
    if len(codes) < 2 or len(codes) * 2 < len(values):
        return {}
    return {v: STATES[v] for v in codes}
