"""The cue words of a business rule: how it keeps (*only*), drops (*exclude / except / not*), includes,
converts, defines a word or says where in a ratio it applies; and the confidences of the doubts a filter can
carry. Shared by the rule reader (``rules.py``) and its parts (``rulefilter.py``, ``rulecover.py``).
"""

from __future__ import annotations

import re

from metricmind.define.words import POINT_IN_TIME

#: A negative cue; "no-" of a compound ("no-shows", "no-fee plans") is a word of its own, never a negation.
NEGATIVE = re.compile(
    r"\b(exclude[sd]?|excluding|except|not|no(?!-\w)|nothing|none|without|leaves? out|leaving out|left out|other than|never|"
    r"(every|any|all|everything|anything) ?\w* but|apart from|aside from|besides|omit\w*|"
    r"ignor\w*|drop(ped|ping)?|remove[sd]?|removing|filter(ed)? out|skip\w*|n[o']t|isn't|aren't|"
    r"do ?n[o']t count|does ?n[o']t count|are not counted|is not counted|"
    r"(leaves?|leaving|left|keeps?|keeping|takes?|taking) (\w+ ){1,3}out)\b|"
    # "trials out", "the Starter plan out": a noun put out at the end (not a verb's "paid out", "opted out")
    r"(?<![\w-])(?!\w+ed\b)[a-z]+ out\s*\.?\s*$",
    re.IGNORECASE,
)
POSITIVE = re.compile(
    r"\b(only|just|solely|exclusively|limited to|restricted to|nothing but|must be|has to be|have to be)\b",
    re.IGNORECASE,
)
CONVERT = re.compile(
    r"\b(equivalent|(?<!that )(?<!who )(?<!which )(?<!were )(?<!was )(?<!have )(?<!has )(?<!had )(?<!been )"
    r"(?:converts?\b|convert(?:ed|ing)\b(?=(?:\W+\w+){0,4}?\W+(?:to|into|as)\b))|normali[sz]e|annuali[sz]|"
    r"prorate|pro-rate)|\bas (a )?monthly\b",
    re.IGNORECASE,
)
EQUIVALENT = re.compile(r"\bequivalents?\b|÷|divided by 12|/ ?12\b", re.IGNORECASE)
COVERED_NEGATIVE = re.compile(r"\b(excluded|are not|is not|do not count|does not count)\b", re.IGNORECASE)
#: A rule that says how a snapshot is read ("take the last snapshot date in each month, don't add snapshots
#: up", "as of the last day of the month, not summed over days"): what a semi-additive source already does.
SNAPSHOT_SAID = re.compile(
    rf"\b(last ([a-z]+ ){0, 2}?(snapshot|day|date|balance|value|count|reading)|{POINT_IN_TIME}|(not|n't|never|without) "
    r"(be )?(summ?ed|summing|add(ed|ing)?|sum)|do(n't| not) (add|sum)|(not|never) over (the )?days)\b",
    re.IGNORECASE,
)
NOOP = re.compile(
    r"^\s*(any|every|all) \w+ counts?\b|^\s*(count )?each \w+ (is )?(counted )?(only )?once\b|"
    r"^\s*(all|any|every) (\w+ ){0,2}(status(es)?|states?|types?|kinds?)\s*\.?\s*$|"  # "all order statuses"
    # "per month", "monthly", "each calendar month": the grain every proposal is computed at
    r"^\s*((counted|computed|reported|calculated) )?(per|each|every|by|a|for each|in each) (calendar )?month"
    r"\s*\.?\s*$|^\s*monthly\s*\.?\s*$",
    re.IGNORECASE,
)
INCLUDE = re.compile(
    r"^\s*(include|including|count|counting|keep)\b|\b(are|is|get|gets|also|too) (also )?(included|counted)\b|"
    r"\b(count|counts) (too|as well)\b|\b(as well|too)\s*$",
    re.IGNORECASE,
)
#: Where a rule's clauses part: a comma, semicolon or colon, "and", "or".
CLAUSE = re.compile(r"[,;:]|\b(?:and|or)\b", re.IGNORECASE)
#: A rule of this many clauses or more states a condition, never a date alone ("Overdue at a month end:
#: issued by then, due before that day, not paid by then").
MANY_CLAUSES = 3


def several_conditions(low: str) -> bool:
    """The rule says ``MANY_CLAUSES`` or more clauses of words: read as a date alone, it drops the rest."""
    return sum(bool(re.search(r"[a-z]{3,}", c)) for c in CLAUSE.split(low)) >= MANY_CLAUSES


#: "summed over titles", "added up across accounts": how a snapshot's rows of one day combine.
SUMMED_OVER = re.compile(r"\b(summ?ed|added|totall?ed|aggregated)( up)? (over|across) (all )?(the )?[a-z]+\b")


def snapshot_clauses(low: str) -> bool:
    """Every clause of the rule says how a snapshot is read ("the month's last calendar day, summed over
    titles, never over days"): one reading said in parts, not several conditions.
    """
    parts = [c for c in CLAUSE.split(low) if re.search(r"[a-z]{3,}", c)]
    return bool(parts) and all(SNAPSHOT_SAID.search(c) or SUMMED_OVER.search(c) for c in parts)


#: A rule that defines a word ("Late means …", "A discount is defined as …").
DEFINES = re.compile(r"\b(means|mean that|is defined as|are defined as|defined as)\b", re.IGNORECASE)
#: Any parenthesis of a rule, and the words by which one keeps or drops on its own ("(but keep wire)").
PAREN = re.compile(r"\(([^()]*)\)")
SWITCH = re.compile(r"\b(keeps?|kept|include[sd]?|including|only|but)\b", re.IGNORECASE)
#: A parenthesis after the rule that says why ("Exclude card payments (they settle instantly)").
ASIDE = re.compile(r"\s*\(([^()]*)\)\s*\.?\s*$")
#: The most a rule read without its aside is trusted: a person checks that the aside only says why.
ASIDE_CONFIDENCE = 0.75
#: Words of a comparison ("above zero", "at least 10").
COMPARISON_WORDS = frozenset(
    "above over more greater exceed exceeds exceeding higher than least below under less lower most zero "
    "positive nonzero non percentage percent".split()
)

#: The confidence of a filter whose value is an alias of several dimensions, read as the finer one.
CHOSEN = 0.75
#: The confidence of a filter whose rule also names another dimension or column (a doubt).
OTHER_NAME = 0.5
#: A comparison word of a rule ("paid after the due date") that a filter on one dimension cannot say.
COMPARED = re.compile(r"\b(after|before|later than|earlier than|prior to|sooner than)\b")

#: Words of dimension names too general to name one.
GENERIC_NAMES = frozenset({"is", "has", "was", "name", "type", "id", "current", "first", "last", "date"})


#: A clause saying which parts of a ratio a rule applies to ("from both the EMEA part and the total").
WHERE = re.compile(
    r"\s*\b(?:from|in|on|for) (?:both |either |each of )?(?:the )?[\w' -]*?\b(?:parts?|total|numerator|"
    r"denominator|sides?)\b(?: and (?:in |from )?(?:the )?[\w' -]*?\b(?:parts?|total|numerator|denominator|"
    r"sides?)\b)?",
    re.IGNORECASE,
)
#: A rule whose subject is one side of a ratio ("Only the numerator is limited to iOS and Android"): the
#: side is where (``auditparts.one_side_of_a_ratio``), the rest what.
SIDE_SUBJECT = re.compile(r"^\s*(?:only )?the (?:numerator|denominator) (?:is|are) (?:only )?", re.IGNORECASE)
#: A rule that says what "live at the month's end" means (by start and end dates), naming no value.
LIVE_RULE = re.compile(
    r"\b(live|running|active|in force|not yet ended|still \w+)\b.*\b(last|final|closing) day\b|"
    r"\b(last|final|closing) day\b.*\b(live|running|active|not yet ended|ended)\b",
    re.IGNORECASE,
)


_CONTRACTED = re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|should|must|would|could)n['’]t\b")


def uncontract(text: str) -> str:
    """Contractions written out ("don't count" → "do not count", "can't" → "cannot"): a contraction is
    never read as the unknown words 'don' and 't'.
    """
    text = _CONTRACTED.sub(r"\1 not", text)
    text = re.sub(r"\bcan['’]t\b", "cannot", text)
    return re.sub(r"\bwon['’]t\b", "will not", text)


#: A verb that drops rows ("leave out", "exclude", "do not count"): one negation of a rule.
DROPS = re.compile(
    r"\b(exclude[sd]?|excluding|leave out|leaving out|left out|omit\w*|ignor\w*|drop(ped|ping)?|remove[sd]?|"
    r"removing|filter(ed)? out|skip\w*|(leave|leaving|left|keep|keeping|take|taking) (\w+ ){1,3}out|"
    r"do ?n[o']t count|does ?n[o']t count|(are|is) not counted|not counted|never counted)\b",
    re.IGNORECASE,
)
_NOT = re.compile(r"\b(not|never|no(?!-\w)|n't)\b", re.IGNORECASE)


def twice_negated(low: str) -> bool:
    """A rule that drops rows and also says "not" of what it drops ("Invoices not yet paid are left out",
    "Exclude customers who never paid"): the two negations cancel on the value, which a one-sign filter
    reading gets backwards.
    """
    drops = list(DROPS.finditer(low))
    if not drops:
        return False
    return any(not any(d.start() <= n.start() < d.end() for d in drops) for n in _NOT.finditer(low))


#: A negation right before a conversion cue: "not the monthly equivalent", "rather than converting".
_BEFORE_CONVERSION = re.compile(
    r"\b(?:not|no|never|without|rather than|instead of)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)


def negated_conversion(text: str) -> bool:
    """``text`` says a conversion only to refuse it ("Use the full contract amount, not the monthly
    equivalent", "no annualising"): every conversion cue it has follows a negation within three words.
    """
    cues = list(CONVERT.finditer(text))
    return bool(cues) and all(_BEFORE_CONVERSION.search(text[: m.start()]) for m in cues)


def asks_conversion(text: str) -> bool:
    """``text`` asks for a conversion of amounts: a conversion cue that no negation refuses."""
    return bool(CONVERT.search(text)) and not negated_conversion(text)
