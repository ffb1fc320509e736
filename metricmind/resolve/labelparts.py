"""A label that names two sides of one column with a slash ("Donor / recipient operator"): each side is said
alone ("recipient operator", "donor operator"), the head noun after the slash shared by a one-word side before
it. Read from the catalog's labels, no project's words.
"""

from __future__ import annotations

import re

_SLASH = re.compile(r"\s*/\s*")


def label_sides(label: str) -> list[str]:
    """The phrases each side of a slashed label stands for; none when the label has no slash or more than one."""
    parts = _SLASH.split(label.strip().lower())
    if len(parts) != 2 or not all(p.strip() for p in parts):
        return []
    left, right = parts[0].split(), parts[1].split()
    if len(left) == 1 and len(right) > 1:
        return [" ".join([left[0], *right[1:]]), " ".join(right)]  # "donor / recipient operator"
    if len(left) > 1 and len(right) == 1:
        return [" ".join(left), " ".join([*left[:-1], right[0]])]  # "return reason / code"
    return [" ".join(left), " ".join(right)]
