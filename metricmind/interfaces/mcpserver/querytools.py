"""The question, query and analysis tools: ``resolve_question``, ``query_metrics``, ``explain_query``,
``analyze``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from metricmind.errors import QueryError
from metricmind.interfaces.mcpserver import formatting as fmt
from metricmind.interfaces.mcpserver.analyses import answer_question, run_analysis
from metricmind.interfaces.mcpserver.toolbase import ToolBase, day_of, whole_number
from metricmind.resolve.narrate import Rows, narrate
from metricmind.resolve.resolution import Resolution as Resolved
from metricmind.spec.query import MetricQuery


class QueryTools(ToolBase):
    """Questions, queries and analyses, each run through ``Project.run`` under the shared lock."""

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
        day = day_of(as_of, "as_of")
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
            limit if limit is not None else whole_number(base.get("limit"), "limit"),
            bool(allow_overlap if allow_overlap is not None else base.get("allow_overlap")),
        )
        for name in built.metrics:
            self.project.metric(name)  # unknown metrics fail early, with "did you mean"
        return built

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
