"""Names of group-by items and MetricFlow's call syntax (``Dimension('customer__segment')``).

A group-by name is ``[entity__…]element[__grain]``: ``metric_time__month``, ``customer__segment``,
``order__customer__region__continent``, ``subscription__started_at__quarter``, ``customer``.
Call syntax is parsed with Python's ``ast`` module, never evaluated.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from metricmind.spec.model import DATE_PARTS, Grain

SEP = "__"
METRIC_TIME = "metric_time"
_GRAIN_WORDS = {g.value for g in Grain}


@dataclass(frozen=True)
class Ref:
    """A reference to a group-by item (or, in filters, a metric) before resolution.

    ``kind`` is ``auto`` for bare names, else ``dimension``, ``time``, ``entity`` or ``metric``.
    ``parts`` is the name split on ``__`` with any grain suffix removed.
    """

    kind: str
    parts: tuple[str, ...]
    grain: Grain | None = None
    date_part: str | None = None
    group_by: tuple[str, ...] = ()
    descending: bool = False
    custom: str | None = None  # a custom granularity of the time spine (``metric_time__fiscal_quarter``)

    @property
    def name(self) -> str:
        """The name without grain."""
        return SEP.join(self.parts)

    @property
    def element(self) -> str:
        """The last part: the dimension, entity or metric name."""
        return self.parts[-1]

    @property
    def entity_path(self) -> tuple[str, ...]:
        """The entity prefix (all parts but the last)."""
        return self.parts[:-1]

    @property
    def is_metric_time(self) -> bool:
        """True for ``metric_time`` (with or without a grain)."""
        return self.parts == (METRIC_TIME,)

    def column(self, default_grain: Grain | None = None) -> str:
        """The output column name, MetricFlow style (``metric_time__month``)."""
        if self.date_part:
            return f"{self.name}{SEP}extract_{self.date_part}"
        if self.custom:
            return f"{self.name}{SEP}{self.custom}"
        grain = self.grain or default_grain
        return f"{self.name}{SEP}{grain.value}" if grain else self.name


class NameError_(ValueError):
    """A name or call that cannot be read."""


def split(name: str) -> Ref:
    """Read a group-by name such as ``metric_time__month`` or ``customer__segment``."""
    text = name.strip()
    if not text:
        raise NameError_("empty group-by name")
    if "(" in text:
        return parse_call(text)
    parts = tuple(p for p in text.lower().split(SEP))
    if any(not p or not p.replace("_", "a").isalnum() for p in parts):
        raise NameError_(f"'{name}' is not a valid name (use letters, digits and '__' between parts)")
    grain: Grain | None = None
    date_part: str | None = None
    if len(parts) > 1 and parts[-1] in _GRAIN_WORDS:
        grain, parts = Grain(parts[-1]), parts[:-1]
    elif len(parts) > 1 and parts[-1].startswith("extract_") and parts[-1][8:] in DATE_PARTS:
        date_part, parts = parts[-1][8:], parts[:-1]
    elif len(parts) == 2 and parts[0] == METRIC_TIME:
        # metric_time has no sub-names: anything else after it is a custom granularity
        return Ref("auto", parts[:1], custom=parts[1])
    return Ref("auto", parts, grain, date_part)


def parse_call(text: str) -> Ref:
    """Read ``Dimension('x')``, ``TimeDimension('metric_time', 'month')``, ``Entity('x')``, ``Metric('m', group_by=[...])``.

    Methods ``.grain('month')``, ``.date_part('year')`` and ``.descending(True)`` are understood.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise NameError_(f"cannot read {text!r}: {exc.msg}") from exc
    methods: list[tuple[str, list[ast.expr]]] = []
    while isinstance(tree, ast.Call) and isinstance(tree.func, ast.Attribute):
        methods.append((tree.func.attr, tree.args))
        tree = tree.func.value
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name)):
        raise NameError_(
            f"cannot read {text!r}: expected Dimension(...), TimeDimension(...), Entity(...) or Metric(...)"
        )
    func = tree.func.id
    args = [_literal(a, text) for a in tree.args]
    kwargs = {k.arg: _literal(k.value, text) for k in tree.keywords if k.arg}
    if not args or not isinstance(args[0], str):
        raise NameError_(f"{func}(...) needs a name in quotes: {text!r}")
    path = kwargs.get("entity_path")  # MetricFlow's way to name a dimension more than one hop away
    if isinstance(path, list | tuple) and path and func in ("Dimension", "TimeDimension", "Entity"):
        if not all(isinstance(p, str) and p for p in path):
            raise NameError_(f"entity_path must be a list of entity names in quotes: {text!r}")
        base = split(SEP.join([*path, args[0]]))
    else:
        base = split(args[0])
    grain, date_part, descending, custom = base.grain, base.date_part, False, base.custom
    group_by: tuple[str, ...] = ()
    if func == "TimeDimension":
        kind = "time"
        grain_arg = args[1] if len(args) > 1 else kwargs.get("time_granularity_name") or kwargs.get("grain")
        if grain_arg:
            try:
                grain = Grain.parse(str(grain_arg))
            except ValueError:
                custom = str(grain_arg).strip().lower()  # checked against the time spine later
        if kwargs.get("date_part_name"):
            date_part = str(kwargs["date_part_name"]).lower()
    elif func == "Dimension":
        kind = "dimension"
    elif func == "Entity":
        kind = "entity"
    elif func == "Metric":
        kind = "metric"
        raw = args[1] if len(args) > 1 else kwargs.get("group_by", [])
        group_by = tuple(str(g) for g in (raw if isinstance(raw, list | tuple) else [raw]))
    else:
        raise NameError_(
            f"unknown function {func}() in {text!r}; use Dimension, TimeDimension, Entity or Metric"
        )
    for method, margs in reversed(methods):
        values = [_literal(a, text) for a in margs]
        if method == "grain" and values:
            grain = Grain.parse(str(values[0]))
        elif method == "date_part" and values:
            date_part = str(values[0]).lower()
        elif method == "descending":
            descending = bool(values[0]) if values else True
        else:
            raise NameError_(
                f"unknown method .{method}() in {text!r}; use .grain(), .date_part() or .descending()"
            )
    return Ref(kind, base.parts, grain, date_part, group_by, descending, custom)


def _literal(node: ast.expr, text: str) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise NameError_(f"only quoted names and lists are allowed in {text!r}") from exc
