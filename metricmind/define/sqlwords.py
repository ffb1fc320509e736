"""SQL comparison operators said in a definition, put in words the readers know: ``payment_method <>
'card'`` and ``status != 'void'`` keep every value but the one named.

The readers of the definition find a negation by its words ("not", "excluding", "other than"); an
operator written as SQL (``<>``, ``!=``) carries none, so ``payment_method <> 'card'`` was read as
keeping card only: a confident wrong number. The operator is rewritten as "not" before anything reads
the text (the proposal keeps the text as written). ``=``, ``in`` and ``not in`` read as they are.
"""

from __future__ import annotations

import re

#: ``column <> 'x'``, ``column != 'x'``, ``column <> ('x', 'y')``: the operator between a name and a
#: quoted value (or a list of them).
_NOT_EQUAL = re.compile(r"(?<=[A-Za-z0-9_])\s*(?:<>|!=)\s*(?=\(?\s*')")


def spoken(text: str) -> str:
    """``text`` with each SQL not-equal operator before a quoted value said as "not".

    >>> spoken("sum(amount) of invoices where payment_method <> 'card'")
    "sum(amount) of invoices where payment_method not 'card'"
    >>> spoken("status != 'void' and amount <> 0")
    "status not 'void' and amount <> 0"
    """
    return _NOT_EQUAL.sub(" not ", text)
