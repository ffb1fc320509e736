"""Results as titled tables (columns and rows) for text output: the CLI's ``--format table``."""

from __future__ import annotations

from typing import Any

Table = tuple[str, list[str], list[list[Any]]]


def result_tables(analysis: str, result: dict[str, Any]) -> list[Table]:
    """The tables that show ``result`` of ``analysis`` (the JSON output of ``analyze_data``)."""
    if analysis == "attribution":
        return attribution_tables(result)
    if analysis == "lifecycle":
        keys = ["active", "new", "retained", "resurrected", "churned", "dormant", "quick_ratio"]
        return [_per_month("Lifecycle (users per month)", result["per_month"], keys)]
    if analysis == "mrr-movements":
        keys = [
            "starting_mrr",
            "new",
            "reactivation",
            "expansion",
            "contraction",
            "churned",
            "ending_mrr",
            "net_new_mrr",
            "quick_ratio",
        ]
        tables = [_per_month("MRR movements", result["per_month"], keys)]
        if result.get("windows"):
            columns = ["window", "cohort_customers", "starting_mrr", "nrr", "grr"]
            rows = [[name, *(w[k] for k in columns[1:])] for name, w in result["windows"].items()]
            tables.append(("Net and gross revenue retention", columns, rows))
        return tables
    if analysis == "cohorts":
        return cohort_tables(result)
    return []


def attribution_tables(result: dict[str, Any]) -> list[Table]:
    """Revenue and conversions per channel, one column per model; Markov removal effects."""
    models = list(result["models"])
    tables: list[Table] = []
    for measure in ("revenue", "conversions"):
        rows = [
            [channel, *(result["models"][m][measure][channel] for m in models)]
            for channel in result["channels"]
        ]
        rows.append(["(total)", *(sum(result["models"][m][measure].values()) for m in models)])
        title = (
            f"Attributed {measure} (total {result['total_' + measure]:g} from "
            f"{result['total_conversions']} conversions)"
        )
        tables.append((title, ["channel", *models], rows))
    for period, part in result.get("by", {}).items():
        models_p = list(part["models"])
        rows = [[c, *(part["models"][m]["revenue"][c] for m in models_p)] for c in part["channels"]]
        title = f"{period}: attributed revenue (total {part['total_revenue']:g}, {part['total_conversions']} conversions)"
        tables.append((title, ["channel", *models_p], rows))
    if "markov" in result["models"]:
        markov = result["models"]["markov"]
        rows = [[c, markov["removal_effects"][c]] for c in result["channels"]]
        tables.append(
            (
                f"Markov removal effects (P(conversion) = {markov['p_conversion']:.6g})",
                ["channel", "effect"],
                rows,
            )
        )
    return tables


def cohort_tables(result: dict[str, Any]) -> list[Table]:
    """Logo and revenue retention triangles, one row per cohort, one column per month since signup."""
    cohorts = result["cohorts"]
    width = max((len(c["cells"]) for c in cohorts.values()), default=0)
    tables: list[Table] = []
    for key, title in (("logo_retention", "Logo retention"), ("revenue_retention", "Revenue retention")):
        columns = ["cohort", "size", "starting_mrr", *(f"m{k}" for k in range(width))]
        rows = [
            [name, c["cohort_size"], c["starting_mrr"], *(cell[key] for cell in c["cells"])]
            + [None] * (width - len(c["cells"]))
            for name, c in cohorts.items()
        ]
        tables.append((title, columns, rows))
    return tables


def _per_month(title: str, per_month: dict[str, dict[str, Any]], keys: list[str]) -> Table:
    rows = [[month, *(values[k] for k in keys)] for month, values in per_month.items()]
    return title, ["month", *keys], rows
