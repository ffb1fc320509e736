"""Word classes the resolver reads grammar from (ranking, grain, negation, comparison, …)."""

from __future__ import annotations

from metricmind.resolve.timespans import UNITS

GROUP_WORDS = frozenset({"by", "per", "each", "every", "across", "which", "what", "among"})
DESC_WORDS = frozenset(
    {
        "top",
        "highest",
        "largest",
        "biggest",
        "most",
        "best",
        "greatest",
        "leading",
        "max",
        "maximum",
        "strongest",
    }
)
ASC_WORDS = frozenset(
    {"bottom", "lowest", "smallest", "least", "fewest", "worst", "min", "minimum", "weakest"}
)
SPEED_WORDS = {"fastest": False, "quickest": False, "shortest": False, "slowest": True, "longest": True}
"""Before "first", the order of a time taken: descending (True) or ascending (False)."""
PRICE_WORDS = {"cheapest": False, "priciest": True, "dearest": True}
"""Before "first", the order of an amount by its price ("cheapest first": ascending), as "lowest first"."""
SORT_WORDS = frozenset({"rank", "ranked", "ranking", "sort", "sorted", "order", "ordered"})
NEGATIONS = frozenset({"not", "excluding", "exclude", "except", "without", "outside", "non", "excl", "ex"})
GRAIN_ADJ = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}
TREND_WORDS = frozenset(
    {"trend", "trended", "trending", "history", "historical", "evolution", "evolve", "series"}
)
GROWTH_WORDS = frozenset(
    {
        "grow",
        "growth",
        "change",
        "changed",
        "increase",
        "increased",
        "decrease",
        "decreased",
        "drop",
        "dropped",
        "decline",
        "declined",
        "rise",
        "rose",
        "move",
        "moved",
        "delta",
        "difference",
        "climb",
        "climbing",
        "climbed",
        "rising",
        "falling",
        "fell",
        "shrink",
        "shrinking",
        "shrank",
        "improve",
        "improved",
        "improving",
        "worsen",
        "worsened",
        "worsening",
        "declining",
        "increasing",
        "decreasing",
        "growing",
        "grew",
        "fast",
        "quickly",
        "slowing",
        "accelerating",
    }
)
AUX = frozenset({"were", "was", "are", "is", "that", "which", "been", "got", "get", "being"})
CONTRAST = frozenset(
    {
        *("vs", "versus", "compare", "compared", "comparing", "comparison", "split", "between", "breakdown"),
        *("each", "against", "differ", "differs", "difference", "relative", "contrast", "contrasted"),
    }
)
"""Words that set the values named side by side (each value a row), not one filter over them."""
CONTRAST_PAIRS = frozenset(
    {("next", "to"), ("stack", "up"), ("stacks", "up"), ("side", "by"), ("head", "to")}
)
"""Two-word contrasts ("partners next to events", "how does EMEA stack up", "SMB and Mid-Market side by side")."""
VERSUS_PAIRS = frozenset({("compared", "to"), ("compared", "with"), ("relative", "to"), ("as", "against")})
"""Two words that set one value against another ("partner compared with referral")."""
QUALIFIER_BEFORE = frozenset({"from", "for", "among", "of", "with", "across", "in", "on", "at"})
GRAMMAR = (
    GROUP_WORDS
    | DESC_WORDS
    | ASC_WORDS
    | SORT_WORDS
    | frozenset(SPEED_WORDS)
    | NEGATIONS
    | TREND_WORDS
    | GROWTH_WORDS
    | frozenset(GRAIN_ADJ)
    | frozenset(UNITS)
    | frozenset(
        """last past previous prior trailing rolling since start beginning first second third fourth half this
        today yesterday ytd qtd mtd wtd fy fiscal calendar full complete between through until till thru next
        tomorrow ago same annually ascending descending asc desc only time over period vs versus compared
        recent latest so far date now right moment end close beginning start jan feb mar apr may jun jul aug sep sept oct nov dec
        january february march april june july august september october november december h1 h2 q1 q2 q3 q4
        few couple than against relative""".split()
    )
)
WIN_VERBS = frozenset(
    "sign signed win won acquire acquired pick picked join joined joining onboard onboarded land landed "
    "came come gain gained close closed bring brought add added adding".split()
)
"""Verbs of winning customers ("how many customers did we sign")."""
LOSE_VERBS = frozenset("left leave walked went quit lost lose cancelled canceled dropped stopped".split())
"""Verbs of losing customers ("how many clients walked away")."""
REDUCED_READ_PENALTY = 0.1
"""What the metric pass takes for a metric read from a shortened phrase or a head noun."""
SOURCE_WORDS = frozenset({"from", "via", "through", "thru"})
"""Words before where something came from: a value there ("from events") is a source, not a metric."""

OBJECT_PRONOUNS = frozenset({"me", "u", "you", "him", "her", "them"})
"""Pronouns after a word that make it a verb with its object ("call me", "ping them"), never a metric's noun
("us" is not one: "customers paying us")."""
