"""The same yes/no flag on the source's own rows and on a joined entity: the source's own is read.

"Urgent only" of the average wait of appointments: ``is_urgent`` is a column of the appointments
(``appointment__is_urgent``) and of the referral each one comes from (``referral__is_urgent``). A flag of
the rows the metric counts says what "urgent" means for them; the joined one is another entity's word for
itself. Read so only when both are the one flag by name (``is_urgent`` and ``is_urgent``), the source's is
``own`` (``rulecontext.Flag``) and the text names neither entity beside the word (``rulevalues`` reads
"urgent referrals" as the referral's). A flag and a value of different names ("active": a customer's
``is_active`` or the subscription status ``active``) stay ambiguous.
"""

from __future__ import annotations

from metricmind.define.rulecontext import Context, Flag
from metricmind.define.words import stems
from metricmind.spec.names import SEP


def own_flag(
    key: tuple[str, ...], other: tuple[str, str], flag: tuple[str, str], ctx: Context
) -> tuple[str, str] | None:
    """Of ``flag`` and ``other`` (both read from ``key``), the source's own when they are one flag by
    name on two entities (module docstring); None otherwise.
    """
    readings = (flag, other)
    if any(v not in ("true", "false") for _, v in readings):
        return None
    if other[0].rsplit(SEP, 1)[-1] != flag[0].rsplit(SEP, 1)[-1] or other[1] != flag[1]:
        return None
    own = [r for r in readings if any(f.name == r[0] and f.own for f in ctx.flags)]
    if len(own) != 1:
        return None
    theirs = next(r for r in readings if r != own[0])
    ctx.chosen.append(
        f"{' '.join(key)!r} is also {theirs[0]} (another entity's flag of that name); read as the source's own "
        f"{own[0][0]}"
    )
    return own[0]


def pick_flag(key: tuple[str, ...], flags: list[Flag], ctx: Context) -> Flag:
    """Of the flags ``key`` names (one name on several entities), the one whose entity the text names right
    after it ("zero-emission couriers": the courier's), else the source's own, else the first.
    """
    if len(flags) == 1:
        return flags[0]
    n = len(key)
    after = {ctx.said[i + n] for i in range(len(ctx.said) - n) if ctx.said[i : i + n] == key}
    named = [f for f in flags if set(stems(_entity(f.name).replace("_", " "))[-1:]) & (after | set(key))]
    if len(named) == 1:
        return named[0]
    own = [f for f in flags if f.own]
    return own[0] if len(own) == 1 else flags[0]


def _entity(name: str) -> str:
    return name.rsplit(SEP, 2)[-2] if name.count(SEP) else ""
