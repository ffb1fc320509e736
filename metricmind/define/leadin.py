"""Chat before a definition or a rule: a filler lead-in read away, as the resolver reads a request.

People write definitions the way they talk: "Basically, new customers in EMEA", "In short, MRR at month
end", "So basically I need the number of trial starts", "Can you set up a metric for refunds by refund
date", "Please exclude trials", "Note: only card payments". The words before the definition say nothing
about the metric, yet the reader would take "essentially" or "put" for words the catalog lacks and refuse.

Two lead-ins are read away, both English grammar and closed-class words, never any catalog's words:

- a **discourse lead-in**: at most ``MAX_LEAD`` words, every one a discourse or function word
  (``DISCOURSE``, ``resolve.text.FILLERS``), ended by a comma, colon or dash ("Simply put,", "Note:",
  "OK so -"); "In EMEA, …" keeps its lead (EMEA is no filler word);
- a **request opener** (``resolve.clauses``: "can you", "I need", "could you pull together", "please")
  preceded by discourse words only, then a "metric for" object ("set up a metric for", "a KPI that
  tracks"); "Customers who want to see a demo" keeps its words (the words before "want to see" say who).

The proposal keeps the text as written (``proposal.as_written``); what was read away is said in its doubts,
without costing confidence (it held no word the analysis reads).
"""

from __future__ import annotations

import re

from metricmind.define.proposal import Definition
from metricmind.resolve.clauses import request_only
from metricmind.resolve.text import FILLERS

#: Discourse words a lead-in may hold besides the resolver's filler words (no catalog word is one).
DISCOURSE = frozenset(
    """so ok okay well right alright basically essentially simply put plainly short brief other words nutshell
    roughly briefly generally honestly really literally quick q question hey hi hello team folks everyone
    note fyi tl dr tldr summary bottom line long story speaking idea gist main thing thanks thx
    cheers yes yeah sure hmm um uh also additionally btw oh""".split()
)
#: The most words of a discourse lead-in.
MAX_LEAD = 5
#: The fewest words left after a lead-in is read away (a definition is more than a word or two).
MIN_REST = 2
_LEAD = re.compile(r"^\s*(?P<lead>[^,:;–—]{1,60}?)\s*(?:,|:|\s[-–—]+|–|—)\s*(?P<rest>\S.*)$", re.DOTALL)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: What a request for a metric names before the definition ("set up a metric for", "a KPI that tracks").
_METRIC_OBJECT = re.compile(
    r"^(?:(?:set\s+up|create|make|build|add|define|write|draft|have|get|see|start|put\s+together)\s+)?"
    r"(?:(?:a|an|the|one|some|new|me|us)\s+){0,3}(?:metric|measure|kpi|stat|statistic)s?\s+"
    r"(?:for|of|on|that\s+(?:tracks|counts|measures|shows|gives|reports|captures)|which\s+(?:tracks|counts|"
    r"measures|shows|gives|reports|captures)|tracking|counting|measuring|showing|giving|capturing)\s+",
    re.IGNORECASE,
)


def _filler_only(text: str) -> bool:
    words = _WORD.findall(text.lower().replace("’", "'"))
    return all(w in DISCOURSE or w in FILLERS for w in words)


def _discourse_lead(text: str) -> str | None:
    m = _LEAD.match(text)
    if m is None:
        return None
    lead, rest = m.group("lead"), m.group("rest")
    words = _WORD.findall(lead.lower())
    if not words or len(words) > MAX_LEAD or not rest.split():
        return None
    if not all(w in DISCOURSE or w in FILLERS for w in words) or not any(w in DISCOURSE for w in words):
        return None  # "In EMEA, …", "For each month, …": the lead says something
    return rest


def _request(text: str) -> str | None:
    found = request_only(text)
    if found is None:
        return None
    start = len(found.text) - len(found.text.lstrip())
    if not start or not _filler_only(text[:start]):
        return None  # "For the board pack I need …", "Customers who want to see a demo": words that say
    rest = text[start:].strip()  # a closing "as well" or "too" stays: it may say what is counted
    rest = _METRIC_OBJECT.sub("", rest, count=1)
    if len(rest.split()) < MIN_REST:
        return None
    return rest


def without_lead(text: str) -> str | None:
    """``text`` without its filler lead-ins (several in a row: "So basically, can you …"), or None when it
    has none.
    """
    out = text
    for _ in range(3):
        nxt = _discourse_lead(out) or _request(out)
        if nxt is None:
            break
        out = nxt
    if out == text:
        return None
    return out[:1].upper() + out[1:] if text[:1].isupper() else out


def read_away(definition: Definition) -> tuple[Definition, list[str]]:
    """The definition with the lead-ins of its text and rules read away, and what was read so."""
    said: list[str] = []

    def one(t: str) -> str:
        rest = without_lead(t)
        if rest is None:
            return t
        said.append(f"read {t!r} as {rest!r} (a lead-in that says nothing about the metric)")
        return rest

    text = one(definition.text)
    rules = tuple(one(r) for r in definition.rules)
    return Definition(definition.name, text, rules), said
