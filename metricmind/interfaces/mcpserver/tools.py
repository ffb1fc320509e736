"""Every MCP tool, as plain methods of ``Tools`` over a ``Project``; ``register`` adds them to a server.

Read-only by default: no tool writes to the project except ``record_feedback``, which needs the server
to hold a user's token (``metricmind mcp`` reads it from ``$METRICMIND_TOKEN``). It appends to
``<project>/metricmind/feedback.jsonl`` and, for a correction, teaches the token's user a word: it
applies to that user at once and to everyone once an approver approves it (``Project.learn``).
``define_metric`` (module ``define``) writes only with ``save=true``: a draft change, as an editor. The
user always comes from the token, never from an argument. Every query goes through ``Project.run``
(``source="mcp"``), so the project's listeners (catalog, query log) record it.

List arguments also accept a JSON list in a string or a comma-separated string; object arguments
also accept a JSON object in a string (Claude Desktop tends to send both as strings).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
import threading
from dataclasses import replace
from typing import Any, Protocol

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from metricmind.errors import MetricmindError, PermissionDenied, QueryError, UnknownNameError
from metricmind.interfaces.mcpserver import define
from metricmind.interfaces.mcpserver import formatting as fmt
from metricmind.interfaces.mcpserver.analyses import answer_question, run_analysis
from metricmind.project import DimensionInfo, Project
from metricmind.resolve.feedback import Feedback, FeedbackStore, parse_correction
from metricmind.resolve.narrate import Rows, narrate
from metricmind.resolve.resolution import Resolution as Resolved
from metricmind.spec.model import Metric, MetricType
from metricmind.spec.names import METRIC_TIME
from metricmind.spec.query import MetricQuery

MAX_VALUES = 100
"""Distinct values returned by ``get_dimension_values`` by default."""
MAX_VALUES_CEILING = 1000


class Resolution(Protocol):
    """What a resolver returns: JSON in the ``ask --json`` shape."""

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - protocol
        """The resolution as JSON-ready data."""
        ...


class Resolver(Protocol):
    """Question text → metric query (``metricmind.resolve``)."""

    def resolve(  # pragma: no cover
        self, question: str, *, as_of: dt.date | None = None, memory_lookup: Any = None
    ) -> Resolution:
        """Resolve ``question`` against ``as_of`` (default today), consulting ``memory_lookup``."""
        ...


class Tools:
    """The tools of one server: a project, a lock (one warehouse connection), the feedback store.

    ``writer`` is the catalog user of the server's token: the only user the server writes as (feedback,
    learned words), and whose own learned words ``resolve_question`` applies. Without it every tool
    but ``record_feedback`` works. ``resolver`` fixes the resolver (by default the project's, built
    for each question so words taught or approved elsewhere apply at once).
    """

    def __init__(
        self,
        project: Project,
        *,
        resolver: Resolver | None = None,
        user: str | None = None,
        writer: str | None = None,
    ) -> None:
        self.project = project
        self.resolver = resolver
        self.writer = writer
        self.user = writer or user
        self.feedback = FeedbackStore.of(project.root)
        self._lock = threading.RLock()
        self._value_metric: dict[str, str] = {}
        self._dims: list[DimensionInfo] | None = None

    # -- catalog -------------------------------------------------------------------------------
    def list_metrics(
        self, category: str | None = None, search: str | None = None, trending: bool = False
    ) -> str:
        """List the project's metrics as CSV: name, type, category, status, unit, label, trending and
        definition. `trending` is empty, or how much more the metric was used this week than the week
        before (the nightly learner's figures, e.g. "used 14 times this week, 4 the week before").

        Args:
            category: Only metrics of this category (one of the categories this tool lists).
            search: Only metrics whose name, label, definition or synonyms contain this text.
            trending: Only the metrics trending this week, most used first.
        """
        metrics = self.project.metrics()
        trends = {t["name"]: t for t in self.project.trending_metrics()}
        if category:
            known = {m.category for m in metrics}
            match = {c for c in known if c.lower() == category.strip().lower()}
            if not match:
                raise UnknownNameError("category", category, known)
            metrics = [m for m in metrics if m.category in match]
        if search:
            needle = search.strip().lower()
            metrics = [m for m in metrics if needle in _haystack(m)]
        if trending:
            metrics = sorted((m for m in metrics if m.name in trends), key=lambda m: -trends[m.name]["uses"])
        rows = [
            (
                m.name,
                m.type.value,
                m.category,
                str(m.meta.get("status") or ""),
                str(m.meta.get("unit") or ""),
                m.label,
                trends[m.name]["summary"] if m.name in trends else "",
                _definition(m),
            )
            for m in metrics
        ]
        columns = ["name", "type", "category", "status", "unit", "label", "trending", "definition"]
        out = fmt.to_csv(columns, rows, max_rows=fmt.MAX_ROWS_CEILING, max_chars=fmt.MAX_CHARS_CEILING)
        if trending and not rows:
            out += "\n# no metric is trending this week (the nightly learner marks them)"
        return out

    def describe_metrics(self, metrics: list[str] | str) -> str:
        """Describe metrics: definition, formula, business rules, owner, synonyms and usable dimensions.

        Args:
            metrics: Metric names from list_metrics (a JSON list, or "name_a,name_b" also works).
        """
        wanted = fmt.names(metrics, "metrics")
        if not wanted:
            raise QueryError(
                "no metrics given", hint="Pass metric names from list_metrics, e.g. metrics=['<name>']."
            )
        out = [self._describe(self.project.metric(name)) for name in wanted]
        return json.dumps(out, ensure_ascii=False, indent=1, default=str)

    def _describe(self, m: Metric) -> dict[str, Any]:
        dims = self.project.dimensions(m.name)
        meta = m.meta
        info: dict[str, Any] = {
            "name": m.name,
            "label": m.label,
            "type": m.type.value,
            "description": m.description,
            "definition": meta.get("definition"),
            "business_rules": meta.get("business_rules"),
            "unit": meta.get("unit"),
            "category": m.category,
            "owner": m.owner or None,
            "status": meta.get("status"),
            "synonyms": list(m.synonyms) or None,
            "formula": _formula(m),
            "filters": [w.sql for w in m.filter] or None,
            "time_grains": [g for d in dims if d.name == METRIC_TIME for g in d.grains],
            "dimensions": [d.name for d in dims if d.name != METRIC_TIME and d.type != "entity"],
            "entities": [d.name for d in dims if d.type == "entity"],
        }
        return {k: v for k, v in info.items() if v not in (None, "", [])}

    def get_dimension_values(
        self,
        dimension: str,
        metric: str | None = None,
        search: str | None = None,
        max_values: int | None = None,
    ) -> str:
        """Distinct values of a dimension (from its declared meta.values, else queried from the warehouse).

        Args:
            dimension: A dimension, e.g. <entity>__<dimension> (describe_metrics lists them).
            metric: Query through this metric (default: a simple metric that reaches the dimension).
            search: Only values containing this text (case-insensitive).
            max_values: At most this many values (default 100, up to 1000).
        """
        cap = fmt.clamp(max_values, MAX_VALUES, MAX_VALUES_CEILING, "max_values")
        info = self._dimension(dimension, metric)
        if info.type == "time":
            raise QueryError(
                f"'{dimension}' is a time dimension: its values are dates",
                hint="Group by it with a grain in query_metrics instead, e.g. metric_time__month.",
            )
        declared = info.meta.get("values") if info.meta else None
        aliases = info.meta.get("value_aliases") if info.meta else None
        source: str
        more = False
        if isinstance(declared, list) and declared and metric is None:
            values: list[Any] = list(declared)
            source = "declared in meta.values"
        else:
            via = metric or self._metric_for(dimension, info.model)
            # A filter by search goes to the warehouse, so the cap applies to matching values.
            where = []
            if search:
                literal = search.strip().lower().replace("'", "''")
                where.append(f"LOWER(CAST({{{{ Dimension('{dimension}') }}}} AS VARCHAR)) LIKE '%{literal}%'")
            query = MetricQuery.build(via, dimension, where, order_by=dimension, limit=cap + 1)
            result = self._run(query)
            index = result.columns.index(dimension) if dimension in result.columns else 0
            values = [row[index] for row in result.rows]
            more = len(values) > cap
            source = f"queried from the warehouse through metric {via}"
        if search:
            needle = search.strip().lower()
            values = [v for v in values if needle in str(v).lower()]
        rows: list[tuple[Any, ...]] = [
            (v, ", ".join(aliases.get(v, [])) if isinstance(aliases, dict) else "") for v in values
        ]
        columns = [dimension, "aliases"] if isinstance(aliases, dict) else [dimension]
        rows = [r[: len(columns)] for r in rows]
        text = fmt.to_csv(columns, rows, max_rows=cap, more=more, rows_arg="max_values")
        return f"{text}\n# source: {source}"

    def _all_dimensions(self) -> list[DimensionInfo]:
        """Every group-by name some metric can use (``Project.dimensions()`` keeps only shared ones)."""
        if self._dims is None:
            seen: dict[str, DimensionInfo] = {}
            for m in self.project.metrics():
                for info in self.project.dimensions(m.name):
                    seen.setdefault(info.name, info)
            self._dims = sorted(seen.values(), key=lambda d: d.name)
        return self._dims

    def _dimension(self, dimension: str, metric: str | None) -> DimensionInfo:
        infos = self.project.dimensions(metric) if metric else self._all_dimensions()
        for info in infos:
            if info.name == dimension:
                return info
        context = f" for metric '{metric}'" if metric else ""
        raise UnknownNameError("dimension", dimension, [i.name for i in infos], context=context)

    def _metric_for(self, dimension: str, home: str) -> str:
        """A cheap metric that reaches ``dimension``: one on the dimension's own table (so every value
        shows), then simple and additive ones.
        """
        if dimension in self._value_metric:
            return self._value_metric[dimension]

        def rank(m: Metric) -> tuple[bool, int, str]:
            return (home not in self.project.source_models(m.name), *self._cost(m))

        for m in sorted(self.project.metrics(), key=rank):
            if any(d.name == dimension for d in self.project.dimensions(m.name)):
                self._value_metric[dimension] = m.name
                return m.name
        raise QueryError(
            f"no metric reaches dimension '{dimension}', so its values cannot be queried",
            hint="Declare them in the dimension's config.meta.values.",
        )

    def _cost(self, m: Metric) -> tuple[int, str]:
        if m.type is not MetricType.SIMPLE or m.measure is None:
            return (3, m.name)
        measure = self.project.model.measures.get(m.measure.name)
        if m.filter or (measure is not None and measure.non_additive is not None):
            return (2, m.name)
        return (0 if measure is not None and measure.agg.value == "count" else 1, m.name)

    # -- questions -----------------------------------------------------------------------------
    def resolve_question(self, question: str, as_of: str | None = None, run: bool = False) -> str:
        """Turn a business question into a metric query (offline, explainable); runs it only if asked.

        Returns the resolver's JSON: the query (pass it to query_metrics as `query`), how each phrase
        was matched, `in_words` (the reading in words, dates spelled out), `assumptions`, its confidence,
        and clarifying questions when it is unsure. An attribution question ("attribution of new revenue by
        channel for Q1 using all models") is answered at once: `analysis` (models, dates),
        `analysis_result` (the models side by side, as the analyze tool) and `reading`.

        Args:
            question: The question in the words of the catalog, e.g. "<metric label> by <dimension> last quarter".
            as_of: Resolve relative dates ("last quarter") against this day (YYYY-MM-DD; default today).
            run: Also run the query (and its comparison period) and add `answer`, the answer as an
                analyst gives it: the reading, the figures with totals, the change, the dates, the
                assumptions.
        """
        day = _day(as_of, "as_of")
        with self._lock:
            resolver = self.resolver or self.project.resolver(self.writer)
            asked = self.project.ask(question, as_of=day, user=self.user, source="mcp", resolver=resolver)
        resolution = asked.resolution
        data = resolution.to_dict()
        warnings = self.project.deprecation_warnings(data.get("metrics") or [])
        if warnings:
            data["warnings"] = warnings
        if data.get("analysis") and data.get("answerable"):  # an attribution question: answer it
            data.update(answer_question(self.project, self._lock, data["analysis"]))
        elif run and isinstance(resolution, Resolved) and resolution.answerable:
            main, comparison = resolution.metric_query(), resolution.metric_query(comparison=True)
            if main is not None:
                result = self._run(main)
                before = self._run(comparison) if comparison is not None else None
                data["answer"] = narrate(
                    resolution,
                    self.project.model,
                    Rows(result.columns, result.rows),
                    Rows(before.columns, before.rows) if before is not None else None,
                )
        return json.dumps(data, ensure_ascii=False, default=str)

    # -- queries -------------------------------------------------------------------------------
    def query_metrics(
        self,
        metrics: list[str] | str | None = None,
        group_by: list[str] | str | None = None,
        where: list[str] | str | None = None,
        start: str | None = None,
        end: str | None = None,
        order_by: list[str] | str | None = None,
        limit: int | None = None,
        query: dict[str, Any] | str | None = None,
        max_rows: int | None = None,
        max_chars: int | None = None,
        allow_overlap: bool | None = None,
    ) -> str:
        """Run a metric query and return the rows as CSV (capped; a last line "# cut: ..." says so).

        Args:
            metrics: Metric names from list_metrics, e.g. ["<metric>"] or "<metric>,<other_metric>".
            group_by: Dimensions (describe_metrics lists them), e.g. ["metric_time__month", "<entity>__<dimension>"].
            where: Filters, e.g. ["{{ Dimension('<entity>__<dimension>') }} = '<value>'"].
            start: First day included (YYYY-MM-DD).
            end: First day NOT included (YYYY-MM-DD): the range is [start, end).
            order_by: Names to sort by; prefix with - for descending, e.g. ["-<metric>"].
            limit: At most this many rows from the warehouse.
            query: A whole query as an object (e.g. the "query" of resolve_question); the other
                arguments override its fields.
            max_rows: Rows returned (default 200, up to 5000).
            max_chars: Characters of CSV returned (default 20000, up to 200000).
            allow_overlap: Allow dimensions reached only through one-to-many joins (refused otherwise):
                a row then counts in every group it belongs to, so the groups overlap; the answer says
                so ("# overlapping groups: ...") and gives the true total ("# true total: ...").
        """
        q = self._query(metrics, group_by, where, start, end, order_by, limit, query, allow_overlap)
        rows_cap = fmt.clamp(max_rows, fmt.MAX_ROWS, fmt.MAX_ROWS_CEILING, "max_rows")
        chars_cap = fmt.clamp(max_chars, fmt.MAX_CHARS, fmt.MAX_CHARS_CEILING, "max_chars")
        capped = q.limit is None or q.limit > rows_cap
        if capped:
            q = replace(q, limit=rows_cap + 1)
        result = self._run(q)
        more = capped and len(result.rows) > rows_cap
        text = fmt.to_csv(result.columns, result.rows, max_rows=rows_cap, max_chars=chars_cap, more=more)
        text = f"{text}\n# {min(len(result.rows), rows_cap)} rows in {result.elapsed_ms:.0f} ms"
        for warning in result.warnings:
            text += f"\n# warning: {warning}"
        if result.note:
            text += f"\n# overlapping groups: {result.note}"
            if result.total is not None:
                total = fmt.to_csv(
                    result.total.columns, result.total.rows, max_rows=rows_cap, max_chars=chars_cap
                )
                text += "\n# true total:\n" + "\n".join(f"# {line}" for line in total.splitlines())
        return text

    def explain_query(
        self,
        metrics: list[str] | str | None = None,
        group_by: list[str] | str | None = None,
        where: list[str] | str | None = None,
        start: str | None = None,
        end: str | None = None,
        order_by: list[str] | str | None = None,
        limit: int | None = None,
        query: dict[str, Any] | str | None = None,
        dialect: str | None = None,
        allow_overlap: bool | None = None,
    ) -> str:
        """Compile a metric query to SQL without running it; returns the query and its SQL.

        Args:
            metrics: Metric names from list_metrics, e.g. ["<metric>"].
            group_by: Dimensions, e.g. ["metric_time__quarter"].
            where: Filters, e.g. ["{{ Dimension('<entity>__<dimension>') }} = '<value>'"].
            start: First day included (YYYY-MM-DD).
            end: First day NOT included (YYYY-MM-DD).
            order_by: Names to sort by; prefix with - for descending.
            limit: Row limit.
            query: A whole query as an object (e.g. from resolve_question); other arguments override it.
            dialect: duckdb, postgres, snowflake, bigquery, databricks, spark or trino (default: the project's).
            allow_overlap: Allow dimensions reached only through one-to-many joins (overlapping groups).
        """
        q = self._query(metrics, group_by, where, start, end, order_by, limit, query, allow_overlap)
        with self._lock:
            sql = self.project.compile(q, dialect or None)
        head = json.dumps(q.to_dict(), ensure_ascii=False)
        return f"-- query: {head}\n-- dialect: {dialect or self.project.dialect}\n{sql}"

    def _query(
        self,
        metrics: list[str] | str | None,
        group_by: list[str] | str | None,
        where: list[str] | str | None,
        start: str | None,
        end: str | None,
        order_by: list[str] | str | None,
        limit: int | None,
        query: dict[str, Any] | str | None,
        allow_overlap: bool | None = None,
    ) -> MetricQuery:
        base = fmt.mapping(query, "query") or {}
        if "query" in base and isinstance(base["query"], dict):  # a whole resolution was passed
            base = base["query"]
        fields = {"metrics", "group_by", "where", "start", "end", "order_by", "limit", "allow_overlap"}
        unknown = set(base) - fields
        if unknown:
            raise QueryError(
                f"query has unknown fields: {', '.join(sorted(unknown))}",
                hint="Use metrics, group_by, where, start, end, order_by, limit and allow_overlap.",
            )
        built = MetricQuery.build(
            fmt.names(metrics if metrics is not None else base.get("metrics"), "metrics"),
            fmt.names(group_by if group_by is not None else base.get("group_by"), "group_by"),
            fmt.filters(where if where is not None else base.get("where")),
            start if start is not None else base.get("start"),
            end if end is not None else base.get("end"),
            fmt.names(order_by if order_by is not None else base.get("order_by"), "order_by"),
            limit if limit is not None else _int(base.get("limit"), "limit"),
            bool(allow_overlap if allow_overlap is not None else base.get("allow_overlap")),
        )
        for name in built.metrics:
            self.project.metric(name)  # unknown metrics fail early, with "did you mean"
        return built

    def _run(self, query: MetricQuery) -> Any:
        with self._lock:
            return self.project.run(query, user=self.user, source="mcp")

    # -- analyses ------------------------------------------------------------------------------
    def analyze(
        self,
        analysis: str,
        start: str | None = None,
        end: str | None = None,
        models: list[str] | str | None = None,
        half_life_days: float | None = None,
        markov_order: int | None = None,
        by: str | None = None,
        data: dict[str, Any] | str | None = None,
    ) -> str:
        """Attribution (7 models side by side), lifecycle, MRR movements or cohorts, as compact JSON.

        Args:
            analysis: attribution, lifecycle, mrr-movements or cohorts.
            start: First day included (YYYY-MM-DD); attribution keeps journeys that end in the range.
            end: First day NOT included (YYYY-MM-DD).
            models: Attribution models, e.g. "shapley,markov" (default: first_touch, last_touch, linear,
                position_based, time_decay, shapley, markov).
            half_life_days: Time-decay half-life in days (default 7).
            markov_order: Markov chain order (default 1).
            by: Attribution only: also split by "month" or "quarter".
            data: Analyse this document (the file format of docs/analyses.md) instead of the project.
        """
        return run_analysis(
            self.project,
            self._lock,
            analysis,
            start=start,
            end=end,
            models=models,
            half_life_days=half_life_days,
            markov_order=markov_order,
            by=by,
            data=data,
        )

    # -- feedback ------------------------------------------------------------------------------
    def record_feedback(
        self,
        question: str,
        verdict: str,
        query: dict[str, Any] | str | None = None,
        correction: str | None = None,
        phrase: str | None = None,
        target: str | None = None,
        user: str | None = None,
        expected: dict[str, Any] | str | None = None,
    ) -> str:
        """Record whether an answer was right; a correction teaches you a word (shared after review).

        Needs the server to be started with a user's token (the user comes from the token). Appends to
        <project>/metricmind/feedback.jsonl and, when the verdict is "incorrect" and the correction names
        a phrase and what it meant, teaches that word: it applies to you at once, and to everyone once
        another person approves it in review. A phrase that is already a name is refused.

        Args:
            question: The question that was answered.
            verdict: "correct" or "incorrect".
            query: The query that answered it (object or JSON string).
            correction: What was wrong, e.g. "by 'area' I meant <entity>__<dimension>".
            phrase: The misunderstood words (instead of parsing correction), e.g. "area".
            target: The metric, dimension or dimension=value they mean, e.g. <entity>__<dimension>.
            user: Leave out: the token says who you are (another name is refused).
            expected: With verdict "incorrect": the query that would have been right (object or JSON, as
                the "query" of resolve_question). Memory then answers this question, and ones like it,
                that way: for you at once, for everyone once an approver reviews the note.
        """
        writer = self._writer(user)
        verdict = verdict.strip().lower()
        resolved = fmt.mapping(query, "query")
        learned: list[dict[str, Any]] = []
        pair: tuple[str, str] | None = None
        explicit = bool(phrase or target)
        if explicit:
            if not (phrase and target):
                raise QueryError(
                    "pass both phrase and target", hint="e.g. phrase='area', target='<entity>__<dimension>'."
                )
            pair = (phrase, target)
        else:
            pair = parse_correction(correction)
        if explicit and verdict != "incorrect":
            raise QueryError(
                "a word is learned only from an incorrect answer",
                hint="Pass verdict='incorrect' with the correction.",
            )
        entry = Feedback(  # checks the verdict and the question before anything is written
            question=question, verdict=verdict, query=resolved, correction=correction or None, user=writer
        )
        note = ""
        if pair is not None and verdict == "incorrect":
            try:
                with self._lock:
                    word = self.project.learn(writer, pair[0], pair[1], question=question)
            except MetricmindError as exc:
                if explicit:
                    raise
                note = f"# not learned: {exc}"
            else:
                learned.append({k: word[k] for k in ("id", "kind", "phrase", "target", "state")})
        entry = dataclasses.replace(entry, learned=[{k: str(v) for k, v in w.items()} for w in learned])
        right = fmt.mapping(expected, "expected")
        remembered: dict[str, Any] = {"note": None}
        with self._lock:
            try:
                remembered = self.project.answer_feedback(question, verdict, user=writer, expected=right)
            except MetricmindError:
                if right is not None:
                    raise  # a correction that cannot be kept is an error; a verdict alone is not
            self.feedback.append(entry)
        lines = [f"recorded feedback {entry.id} ({verdict}) by {writer} in {self.feedback.path}"]
        if remembered["note"]:
            lines.append(
                f"remembered for {writer} at once: reflexion note #{remembered['note']} answers {question!r} "
                f"and questions like it with the expected query; it applies to everyone once an approver "
                f"reviews it (metricmind learn review {remembered['note']})"
            )
        for w in learned:
            lines.append(
                f"learned for {writer} at once: '{w['phrase']}' → {w['target']} ({w['kind']}); word #{w['id']} "
                f"is {w['state'].replace('_', ' ')}: it applies to everyone once another person approves it "
                f"(metricmind vocabulary approve {w['id']})"
            )
        if note:
            lines.append(note)
        return "\n".join(lines)

    def _writer(self, claimed: str | None) -> str:
        """The token's user; ``PermissionDenied`` without a token or when another user is claimed."""
        if self.writer is None:
            raise PermissionDenied(
                "record_feedback writes to the project, and this server has no token",
                hint="Start it with a user's token: METRICMIND_TOKEN=<token> metricmind mcp (or --token-env "
                "VAR); an admin creates one with: metricmind users add NAME --role editor. "
                "The read-only tools work without one.",
            )
        if claimed and claimed.strip() and claimed.strip() != self.writer:
            raise PermissionDenied(
                f"this server writes as '{self.writer}' (the user of its token), not as '{claimed.strip()}'",
                hint="Leave out `user`: the token says who you are.",
            )
        return self.writer


TOOLS: tuple[str, ...] = (
    "list_metrics",
    "describe_metrics",
    "get_dimension_values",
    "resolve_question",
    "query_metrics",
    "explain_query",
    "analyze",
    "define_metric",
    "record_feedback",
)
"""Every tool, in the order clients list them."""
WRITES: frozenset[str] = frozenset({"record_feedback"})
"""Tools that write (the feedback file and the token user's learned words); they need a token."""


def register(server: MCPServer, tools: Tools, *, feedback: bool = True) -> None:
    """Add every tool of ``tools`` to ``server`` (without ``record_feedback`` when ``feedback`` is off)."""
    for name in TOOLS:
        if name == define.NAME:  # reads, and writes a draft only with save=true (its own module)
            define.register(
                server, define.DefineTool(tools.project, tools._lock, tools.writer, saving=feedback)
            )
            continue
        if name in WRITES and not feedback:
            continue
        writes = name in WRITES
        method = getattr(tools, name)
        server.add_tool(
            fmt.guard(method),
            name=name,
            description=inspect.cleandoc(method.__doc__ or ""),
            annotations=ToolAnnotations(
                read_only_hint=not writes,
                destructive_hint=False,
                idempotent_hint=not writes,
                open_world_hint=False,
            ),
            structured_output=False,
        )


def _int(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"{what} {value!r} is not a whole number") from exc


def _day(value: str | None, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        text = value.strip()  # trailing junk after the date is refused, not dropped
        return dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise QueryError(f"{what} {value!r} is not a date", hint="Write it as YYYY-MM-DD.") from exc


def _haystack(m: Metric) -> str:
    return " ".join([m.name, m.label, m.description, _definition(m), *m.synonyms]).lower()


def _definition(m: Metric) -> str:
    return str(m.meta.get("definition") or m.description or "").strip()


def _formula(m: Metric) -> str | None:
    if m.measure is not None:
        return f"measure {m.measure.name}"
    if m.numerator is not None and m.denominator is not None:
        return f"{m.numerator.name} / {m.denominator.name}"
    if m.expr:
        return f"{m.expr} with " + ", ".join(f"{i.alias}={i.name}" if i.alias else i.name for i in m.inputs)
    if m.conversion is not None:
        return f"conversion {m.conversion.base_measure.name} → {m.conversion.conversion_measure.name}"
    return None
