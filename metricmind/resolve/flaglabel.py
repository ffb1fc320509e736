"""A word of a yes/no dimension's label said beside its value ("company seat enrollments" for the enrollments
whose flag ``is_seat_enrollment`` is labelled "Via company seat"): part of how the flag is said, not a breakdown
by the dimension the word would name alone (the company's name). The words are the catalog's own labels.
"""

from __future__ import annotations

from metricmind.resolve.lexicon import Lexicon
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import stems


def flag_label_words(res: Resolution, lex: Lexicon) -> None:
    """Drop a breakdown said right beside a yes/no filter whose label holds all of the breakdown's words."""
    flags = [
        s
        for s in res.spans.get("filters", [])
        if (info := lex.dims.get(s.target.split("=", 1)[0].rstrip("!"))) is not None
        and set(info.values) == {"true", "false"}
    ]
    if not flags:
        return
    q = res.question
    for g in list(res.spans.get("group_by", [])):
        if g.how == "grain":
            continue
        for f in flags:
            info = lex.dims[f.target.split("=", 1)[0].rstrip("!")]
            before = g.end <= f.start and not q[g.end : f.start].strip()
            after = f.end <= g.start and not q[f.end : g.start].strip()
            asked = q[: g.start].rstrip().lower().endswith((" by", " per", " each"))  # ("by company": asked)
            if (before or after) and not asked and set(stems(g.text)) <= set(stems(info.label)):
                res.group_by = [(n, grain) for n, grain in res.group_by if n != g.target]
                res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not g]
                break
