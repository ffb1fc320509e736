"""A date named without "by": "Month of conversion", "the month the subscription ended", "counted in the
month the customer converted", "use the date the trial actually ended", "the month the refund happened", "count it when the refund
actually happened". Each is said again as "by X at" / "by X date", the forms the rule reader
matches against a time dimension's names (``converted_at``, ``first_paid_date``).
"""

from __future__ import annotations

import re

#: Participles of arithmetic ("… in the month divided by all users"): how parts combine, never an event.
ARITHMETIC = ("divided", "multiplied", "added", "subtracted", "averaged", "summed", "expressed", "compared")
#: "month of conversion", "month of the write-off", "conversion month".
MONTH_OF = re.compile(r"\bmonth of (?:the |their |its )?(?P<what>[a-z][a-z -]*?)\s*$")
#: "the month the subscription ended", "in the month they first paid", "month in which it converted".
MONTH_WHEN = re.compile(
    r"\bmonth (?:(?:that|when|in which|where) )?(?:(?!month\b)[a-z]+ ){0,3}?"
    rf"(?!{'|'.join(ARITHMETIC)}\b)(?P<what>(?:first )?[a-z]+(?:ed|id))\b"
)

#: "use the date the trial actually ended", "the day (on which) the invoice was paid": a date, not a month.
DATE_WHEN = re.compile(  # never the "day" of a compound ("same-day parcels that failed": no date)
    r"(?<!-)\b(?:date|day) (?:(?:that|when|on which|in which|where) )?(?:(?!(?:date|day|not)\b)[a-z]+ ){0,3}?"
    r"(?:(?:actually|really|truly|in fact|was|were|got) )*(?P<what>(?:first )?[a-z]+(?:ed|id))\b"
)
#: "count it when the refund actually happened", "booked when the invoice was paid": counted at that date
#: ("only when the invoice was paid" is a condition, not a date: a counting verb must come first).
WHEN_COUNTED = re.compile(
    r"\b(?:count(?:ed|s)?|book(?:ed|s)?|record(?:ed|s)?|dated?|recogni[sz]e[ds]?|report(?:ed|s)?)"
    r"(?: (?:it|them|each [a-z]+|every [a-z]+|the [a-z]+))? (?:at the time )?when "
    r"(?:(?!not\b)[a-z]+ ){0,3}?(?:(?:actually|really|was|were|got) )*(?P<what>(?:first )?[a-z]+(?:ed|id))\b"
)
#: Verbs that say only that the event took place ("the month the refund happened"): the noun before them
#: names the event.
GENERIC = re.compile(
    r"^(?:happened|occurred|placed|made|recorded|logged|booked|registered|created|arrived|received|landed|"
    r"cleared|posted|processed)$"
)
#: "the month the refund happened": the noun before a generic verb.
NOUN_BEFORE = r"(?P<noun>[a-z]+) (?:(?:actually|really|was|were|got) )*{verb}\b"

#: "use the date the trial actually ended", "the day (on which) the invoice was paid": a date, not a month.
DATE_WHEN = re.compile(  # never the "day" of a compound ("same-day parcels that failed": no date)
    r"(?<!-)\b(?:date|day) (?:(?:that|when|on which|in which|where) )?(?:(?!(?:date|day|not)\b)[a-z]+ ){0,3}?"
    r"(?:(?:actually|really|truly|in fact|was|were|got) )*(?P<what>(?:first )?[a-z]+(?:ed|id))\b"
)
#: Verbs that say only that the event took place ("the month the refund happened"): the noun before them
#: names the event.
GENERIC = re.compile(
    r"^(?:happened|occurred|placed|made|recorded|logged|booked|registered|created|arrived|received|landed|"
    r"cleared|posted|processed)$"
)
#: "the month the refund happened": the noun before a generic verb.
NOUN_BEFORE = r"(?P<noun>[a-z]+) (?:(?:actually|really|was|were|got) )*{verb}\b"
#: Generic verbs that never name a date themselves ("when it happened"); the others may ("when they were
#: booked": booked_at).
FACTUAL = re.compile(r"^(?:happened|occurred|made|recorded|logged|processed|posted)$")

#: "in the purchase's month", "by the order's date": the owner of the month names the event.
OWNER_MONTH = re.compile(r"\b(?P<what>[a-z]+)(?:'s|’s|s') (?:month|date|day)\b")

#: "subscriptions started in the month", "invoices paid each month", "customers who first paid during the
#: month": the event's participle before the period it falls in.
EVENT_IN = re.compile(
    r"\b(?P<what>(?:first )?[a-z]+(?:ed|id))\s+(?:(?:an?|the|their|its|one|any) (?P<object>[a-z]+) )?(?:(?:in|during|within) (?:the |that |this |each |a |every |"
    r"same )?(?:calendar )?month|(?:each|every|per|a) (?:calendar )?month)\b"
)


def dated_forms(low: str, patterns: tuple[re.Pattern[str], ...] | None = None) -> list[str]:
    """Rewordings of a dating rule that names its date without "by" (none when it does not); ``patterns``
    limits the forms read (a definition's own words: ``EVENT_IN`` only).
    """
    out: list[str] = []
    said = low.strip().rstrip(".")
    for pattern in patterns or (MONTH_OF, MONTH_WHEN, DATE_WHEN, WHEN_COUNTED, OWNER_MONTH):
        m = pattern.search(said)
        if m is None:
            continue
        if "object" in pattern.groupindex and m.group("object"):
            continue  # "paid an invoice in the month": whose date is left to the caller (define/audit.py)
        what = m.group("what").strip()
        if GENERIC.match(what):  # "the month the refund happened": the refund's date
            noun = re.search(NOUN_BEFORE.format(verb=re.escape(what)), said[m.start() :])
            if noun is None or noun.group("noun") in ("the", "it", "they", "this", "that", "month", "date"):
                if FACTUAL.match(what):
                    continue
                # "counted when they were booked": the verb itself names its date (booked_at), or none
            else:
                what = noun.group("noun")
        out += [f"date by {what} at", f"date by {what} date"]
    return out
