"""Words of the definition that a filtered yes/no flag's description says ("never passed the identity (KYC)
check" of ``is_kyc_verified = false``, described "Identity check (KYC) passed."): the filter explains them,
on the side it keeps: a "no" filter explains them only when the definition negates ("never", "not",
"without"), a "yes" filter only when it does not.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import find_dimension
from metricmind.define.words import stems
from metricmind.spec.model import Model

_FILTER = re.compile(r"Dimension\('([^']+)'[^)]*\)\s*\}\}\s*=\s*(true|false)\b")
#: A negation of the definition ("never passed", "not verified", "without a check").
NEGATED = re.compile(r"\b(never|not|no|without)\b")


def described_flag_words(model: Model, rules: list[RuleReading], text: str) -> set[str]:
    """Stems of the descriptions of the flags ``rules`` filter on, on the side the definition says."""
    negated = NEGATED.search(text.lower()) is not None
    out: set[str] = set()
    for r in rules:
        if r.status not in ("filter", "covered") or not r.predicate:
            continue
        for name, side in _FILTER.findall(r.predicate):
            dim = find_dimension(model, name)
            if dim is None or not dim.description or (side == "false") != negated:
                continue
            out |= set(stems(dim.description.lower().replace("_", " ").replace("-", " ")))
            if negated:
                out |= {m.group(1) for m in NEGATED.finditer(text.lower())}
    return out
