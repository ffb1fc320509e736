"""Money named by its currency ("invoiced dollars", "dollars billed", "euros refunded"): the currency noun
read as the catalog's money word, *amount*, so the document or verb beside it ("invoiced", "billed") picks
the money column ("Invoiced dollars" as "Invoiced amount": `billed_amount`).

A currency said as a unit is not a noun of the metric and is left alone: "in dollars", "in thousands of
dollars", "convert to euros", "dollars times 100" (``units.py`` reads those). Only a currency word the
catalog's vocabulary does not know is read so (a project with a ``dollars`` column keeps its word). The
reading is a ``forms.Change`` of its own kind: it costs (a person checks it). Pure and deterministic.
"""

from __future__ import annotations

import re

from metricmind.define.forms import Change
from metricmind.define.moneyunit import without_currency_country
from metricmind.define.proposal import Definition
from metricmind.define.words import known, stems, vocabulary
from metricmind.spec.model import Model
from metricmind.wordtables import CURRENCY_WORDS, alternation

#: The currency words read as money nouns: a filter on the shared table. Dollars, euros, bucks and their
#: codes only; never "pounds" (a weight) nor a rarer noun ("yen", "rand"), which stay as said.
_NOUNS = alternation(
    w for w in CURRENCY_WORDS if w in {"dollar", "dollars", "euro", "euros", "bucks", "usd", "eur", "gbp"}
)
#: A currency said as a noun, not as a unit ("in dollars", "of dollars", "to euros", "dollars times 100").
CURRENCY = re.compile(
    r"(?<!\bin )(?<!\bof )(?<!\bto )(?<!\binto )(?<!\bas )\b(?P<word>" + _NOUNS + r")\b"
    r"(?!\s+(?:times|multiplied|divided|x|per\s+(?:dollar|euro)))",
    re.IGNORECASE,
)
#: What a currency noun is read as.
AMOUNT = "amount"


def as_amount(definition: Definition, model: Model, changes: list[Change]) -> Definition:
    """``definition`` with its text's currency nouns read as ``AMOUNT`` (``changes`` grows); its rules as
    written (a rule's "dollars" is a unit: "Multiply dollars by 100").
    """
    vocab = vocabulary(model)

    def sub(m: re.Match[str]) -> str:
        word = m.group("word")
        if known(stems(word.lower())[0], vocab):
            return word
        changes.append(Change(word, AMOUNT, "currency"))
        return AMOUNT

    text = CURRENCY.sub(sub, without_currency_country(definition.text))  # "US dollars": the unit
    return definition if text == definition.text else Definition(definition.name, text, definition.rules)
