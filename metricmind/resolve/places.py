"""Parts of the world and the countries in them, so a place people name ("the Middle East", "our South
American customers", "the Nordics") reads as the country values it holds when a dimension has countries.

General knowledge, not any project's: a project's own regions (a ``region`` dimension with ``value_aliases``
such as ``EMEA: [Europe, Middle East, Africa]``) say which of its values a place is *part of*; this table
says which countries a place *holds*, so the resolver can tell a place that is most of a region ("Europe" for
EMEA) from one that is a small part of it ("the Middle East": one of EMEA's countries).
"""

from __future__ import annotations

from metricmind.resolve.countries import NAMES

_EUROPE_WEST = {"united kingdom", "ireland", "france", "belgium", "netherlands", "luxembourg", "germany"}
_EUROPE_WEST |= {"switzerland", "austria", "spain", "portugal", "italy"}
_NORDICS = {"sweden", "norway", "denmark", "finland", "iceland"}
_EUROPE_EAST = {"poland", "czech republic", "hungary", "romania", "ukraine", "greece", "bulgaria"}
_MIDDLE_EAST = {"united arab emirates", "saudi arabia", "israel", "qatar", "kuwait", "bahrain", "oman"}
_MIDDLE_EAST |= {"jordan", "lebanon", "turkey", "egypt", "iran", "iraq"}
_SOUTH_AMERICA = {"brazil", "argentina", "chile", "colombia", "peru", "uruguay", "paraguay", "bolivia"}
_SOUTH_AMERICA |= {"ecuador", "venezuela"}
_CENTRAL_AMERICA = {"mexico", "guatemala", "costa rica", "panama", "honduras", "el salvador", "nicaragua"}
_NORTH_AMERICA = {"united states", "canada", "mexico"}
_SOUTH_EAST_ASIA = {"singapore", "malaysia", "indonesia", "thailand", "vietnam", "philippines"}
_EAST_ASIA = {"japan", "china", "south korea", "taiwan", "hong kong"}
_SOUTH_ASIA = {"india", "pakistan", "bangladesh", "sri lanka"}
_OCEANIA = {"australia", "new zealand"}
_AFRICA = {"south africa", "nigeria", "kenya", "egypt", "morocco", "ghana"}
_EU = {
    "austria",
    "belgium",
    "bulgaria",
    "croatia",
    "cyprus",
    "czech republic",
    "denmark",
    "estonia",
    "finland",
}
_EU |= {"france", "germany", "greece", "hungary", "ireland", "italy", "latvia", "lithuania", "luxembourg"}
_EU |= {"malta", "netherlands", "poland", "portugal", "romania", "slovakia", "slovenia", "spain", "sweden"}

PLACES: dict[str, frozenset[str]] = {
    "europe": frozenset(_EUROPE_WEST | _NORDICS | _EUROPE_EAST),
    "western europe": frozenset(_EUROPE_WEST),
    "eastern europe": frozenset(_EUROPE_EAST),
    "nordics": frozenset(_NORDICS),
    "scandinavia": frozenset({"sweden", "norway", "denmark"}),
    "dach": frozenset({"germany", "austria", "switzerland"}),
    "benelux": frozenset({"belgium", "netherlands", "luxembourg"}),
    "iberia": frozenset({"spain", "portugal"}),
    "european union": frozenset(_EU),
    "middle east": frozenset(_MIDDLE_EAST),
    "gulf": frozenset({"united arab emirates", "saudi arabia", "qatar", "kuwait", "bahrain", "oman"}),
    "africa": frozenset(_AFRICA),
    "north america": frozenset(_NORTH_AMERICA),
    "central america": frozenset(_CENTRAL_AMERICA),
    "south america": frozenset(_SOUTH_AMERICA),
    "latin america": frozenset(_SOUTH_AMERICA | _CENTRAL_AMERICA),
    "asia": frozenset(_SOUTH_EAST_ASIA | _EAST_ASIA | _SOUTH_ASIA),
    "southeast asia": frozenset(_SOUTH_EAST_ASIA),
    "east asia": frozenset(_EAST_ASIA),
    "south asia": frozenset(_SOUTH_ASIA),
    "asia pacific": frozenset(_SOUTH_EAST_ASIA | _EAST_ASIA | _SOUTH_ASIA | _OCEANIA),
    "oceania": frozenset(_OCEANIA),
    "anz": frozenset(_OCEANIA),
}
"""A place → the English names of the countries in it (lower case)."""

SAID: dict[tuple[str, ...], str] = {
    **{tuple(p.split()): p for p in PLACES},
    ("european",): "europe",
    ("eu",): "european union",
    ("nordic",): "nordics",
    ("scandinavian",): "scandinavia",
    ("middle", "eastern"): "middle east",
    ("mideast",): "middle east",
    ("african",): "africa",
    ("north", "american"): "north america",
    ("central", "american"): "central america",
    ("south", "american"): "south america",
    ("latin", "american"): "latin america",
    ("latam",): "latin america",
    ("asian",): "asia",
    ("south", "east", "asia"): "southeast asia",
    ("south", "east", "asian"): "southeast asia",
    ("southeast", "asian"): "southeast asia",
    ("apac",): "asia pacific",
}
"""How people say a place (its name or adjective, as lower-case words) → the place."""
LONGEST = max(len(k) for k in SAID)
MOST = 0.75
"""A place reads as a region value only when it holds more than this share of the region's countries
("Europe": 6 of EMEA's 7 countries in the demo); a smaller part is its own countries ("the Middle East")."""


def country_name(value: str) -> str:
    """The English name of a country value, lower case (an ISO code is spelled out)."""
    return NAMES[value][0] if value in NAMES else value.lower()


def known_country(value: str) -> bool:
    """Whether a value names a country the table knows."""
    name = country_name(value)
    return any(name in held for held in PLACES.values()) or value in NAMES


def is_country_dimension(values: tuple[str, ...] | list[str]) -> bool:
    """Whether most of a dimension's values are countries (two at least)."""
    known = [v for v in values if known_country(v)]
    return len(known) >= 2 and len(known) * 2 >= len(values)


def place_at(words: list[str], i: int) -> tuple[str, int] | None:
    """The place said at word ``i`` (longest first) and the index after it, if any."""
    for size in range(min(LONGEST, len(words) - i), 0, -1):
        place = SAID.get(tuple(words[i : i + size]))
        if place is not None:
            return place, i + size
    return None


def countries_in(place: str, values: tuple[str, ...] | list[str]) -> list[str]:
    """The values of a country dimension that lie in ``place``."""
    held = PLACES.get(place, frozenset())
    return [v for v in values if country_name(v) in held]


def region_countries(aliases: list[str], countries: tuple[str, ...] | list[str]) -> set[str]:
    """The countries a region value covers, from the places its aliases name (EMEA: Europe, Middle East,
    Africa → every country value in any of them).
    """
    out: set[str] = set()
    for alias in aliases:
        place = SAID.get(tuple(alias.lower().replace("-", " ").split()))
        if place is not None:
            out.update(countries_in(place, countries))
    return out


def part_of_region(place: str, aliases: list[str], countries: tuple[str, ...] | list[str]) -> bool:
    """Whether ``place`` is only a small part of a region whose aliases are ``aliases`` (so its own countries
    are meant, not the region): it holds some of the region's countries, and at most ``MOST`` of them.
    """
    region = region_countries(aliases, countries)
    inside = set(countries_in(place, countries)) & region
    return bool(inside) and len(inside) <= MOST * len(region)
