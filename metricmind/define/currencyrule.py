"""A currency said in a rule or a definition: the figure's unit, or the currency the rows were charged in.

"Payments charged in euros" keeps the rows whose currency column holds EUR: a currency said after a verb of
charging (``charged_in``) is written as the code a dimension of the catalog holds, so the value is read as
any other. "Use the USD amount at finance's monthly rate", "in US dollars, not the payer's currency" say
the figure's unit (``unit_rule``): never a filter on the currency column (that would keep the US payments
alone). The rule is covered when the source's amounts are in that currency already (a measure over
``amount_usd``), and unread otherwise: no conversion is knowable from the catalog.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulecontext import Context, Read
from metricmind.define.words import stems
from metricmind.spec.names import SEP

#: Currency words → ISO code (language, not one project's values); "dollars" alone are US dollars.
CODES: dict[str, str] = {
    "usd": "USD",
    "us dollar": "USD",
    "u.s. dollar": "USD",
    "dollar": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "gbp": "GBP",
    "pound sterling": "GBP",
    "pounds sterling": "GBP",
    "pound": "GBP",
    "sterling": "GBP",
    "jpy": "JPY",
    "yen": "JPY",
    "inr": "INR",
    "rupee": "INR",
    "brl": "BRL",
    "reais": "BRL",
    "chf": "CHF",
    "swiss franc": "CHF",
    "indian rupee": "INR",
    "british pound": "GBP",
    "japanese yen": "JPY",
    "brazilian real": "BRL",
    "cad": "CAD",
    "canadian dollar": "CAD",
    "aud": "AUD",
    "australian dollar": "AUD",
}
_WORD = "|".join(re.escape(w) for w in sorted(CODES, key=len, reverse=True))
_CURRENCY = rf"(?:{_WORD})s?"
#: "charged in euros", "paid in GBP", "billed in pounds sterling": the rows' own currency.
_CHARGED = re.compile(
    rf"\b(?P<verb>charged|paid|billed|invoiced|priced|denominated|settled|transacted)\s+in\s+(?P<cur>{_CURRENCY})\b",
    re.IGNORECASE,
)
#: The figure's unit: "in US dollars", "the USD amount", "amounts in USD", "dollars at finance's rate".
_UNIT = re.compile(
    rf"\b(?:in\s+)?(?P<cur>{_CURRENCY})(?:\s+(?:amounts?|values?|figures?|columns?))?\b", re.IGNORECASE
)
#: Words a rule about the unit says besides the currency: how it was converted, and what it is not.
_UNIT_TALK = frozenset(
    """
    use using used take taken show shown report reported convert converted conversion at by with from to the a
    it them all every please express expressed give given want keep kept stay stays always figure
    an of in as on not never no rather than instead finance finance's financ fx exchange rate rates monthly
    daily month monthly end spot average official payer payer's payers local original own charge charged
    currency currencies amount amounts value values figure figures column columns number numbers s
    """.split()
)


def _code(said: str) -> str:
    """The ISO code of a currency word as said ("euros" → EUR, "US dollars" → USD)."""
    low = re.sub(r"\s+", " ", said.lower())
    return CODES.get(low) or CODES.get(low[:-1] if low.endswith("s") else low, "")


def charged_in(text: str, ctx: Context) -> str:
    """``text`` with a currency said after a verb of charging written as the code a reachable dimension
    holds ("charged in euros" → "charged in EUR"); as it is when no dimension holds that code.
    """

    def coded(m: re.Match[str]) -> str:
        code = _code(m.group("cur"))
        if not code or not _holding(code, ctx):
            return m.group(0)
        return f"{m.group('verb')} in {code}"

    return _CHARGED.sub(coded, text)


def charged_words(text: str, values: set[str]) -> set[str]:
    """The stems of the currencies ``text`` says rows were charged in whose code ``values`` (the values the
    proposal's filters keep, lower case) hold: the words those filters read ("euro" of EUR).
    """
    return {
        w
        for m in _CHARGED.finditer(text)
        if _code(m.group("cur")).lower() in values
        for w in stems(m.group(0))
    }


def unit_rule(text: str, ctx: Context) -> Read | None:
    """A rule that only says the figure's currency (module docstring): covered when the source's amounts
    are in it, unread when they are not; None for any other rule (a currency the rows were charged in too).
    """
    if _CHARGED.search(text):
        return None
    found = list(_UNIT.finditer(text))
    codes = {_code(m.group("cur")) for m in found} - {""}
    if len(codes) != 1:
        return None
    rest = _UNIT.sub(" ", text.lower().replace("\u2019", "'"))
    rest = re.sub(r"\b\w+'s\b", " ", rest)  # "at finance's rate", "the group's monthly rate": whose rate
    if any(w not in _UNIT_TALK for w in stems(re.sub(r"[^\w' ]", " ", rest))):
        return None  # "only USD payments": which rows, not the unit
    code = codes.pop()
    columns = _amount_columns(ctx)
    if not columns:
        return None  # no amount says its currency: the unit is read as before (``units``)
    if all(code.lower() in c.lower().split("_") for c in columns):
        listed = ", ".join(f"`{c}`" for c in columns)
        return Read(
            RuleReading(text, "covered", 0.8, f"the amounts are in {code} already ({listed}): the unit")
        )
    return Read(
        RuleReading(
            text,
            "unread",
            0.0,
            f"asks for the figure in {code}, and no amount of the source says it is in {code}: no conversion "
            "is knowable from the catalog",
        )
    )


def _holding(code: str, ctx: Context) -> bool:
    """A reachable dimension holds ``code`` as a value."""
    for name in ctx.reachable:
        info = ctx.lexicon.dims.get(name) or ctx.lexicon.dims.get(SEP.join(name.split(SEP)[-2:]))
        if info is not None and code in info.values:
            return True
    return False


def _amount_columns(ctx: Context) -> list[str]:
    """The columns the source's own measures sum (its amounts), from its semantic models."""
    out: list[str] = []
    for name in sorted(ctx.home):
        sm = ctx.model.semantic_models.get(name)
        for ms in sm.measures if sm is not None else ():
            if ms.agg.value in ("sum", "average") and ms.expr and re.search(r"[a-z]", ms.expr):
                out += [c for c in re.findall(r"[A-Za-z_]\w*", ms.expr) if "_" in c and c not in out]
    return [c for c in out if any(code.lower() in c.lower().split("_") for code in set(CODES.values()))]
