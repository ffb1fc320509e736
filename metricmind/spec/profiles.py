"""The dbt profile of a dbt project, read as dbt reads it, turned into metricmind's ``warehouse`` settings.

``dbt_project.yml``'s ``profile:`` names a profile in ``profiles.yml``, looked for (like dbt) in
``--profiles-dir`` (setting ``profiles_dir``), ``$DBT_PROFILES_DIR``, the project folder, then ``~/.dbt/``.
The target is ``--target`` (setting ``target``), ``$DBT_TARGET``, else the profile's ``target:``.
``{{ env_var('X') }}`` and ``{{ env_var('X', 'default') }}`` are rendered (with the filters
``as_number``, ``as_text``, ``as_bool``, ``as_native``, ``int``, ``string``); any other Jinja is refused.

Supported adapters: dbt-duckdb (``path``, ``schema``) and dbt-postgres (``host``, ``port``, ``user``,
``password``/``pass``, ``dbname``/``database``, ``schema``, ``sslmode``, ``connect_timeout``, ``role``).
Another adapter type becomes ``warehouse.type`` as it is (a registered warehouse adapter may serve it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from metricmind import config
from metricmind.errors import IssueList
from metricmind.spec.yamlio import Node, YamlProblem, load_documents

PROFILES_FILE = "profiles.yml"
_JINJA = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_ENV_VAR = re.compile(
    r"""^\s*env_var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])(.*?)\3\s*)?\)\s*((?:\|\s*\w+\s*)*)$""", re.DOTALL
)
_FILTERS = {"as_number", "as_text", "as_bool", "as_native", "int", "string"}
_PG_KEYS = ("host", "port", "user", "password", "pass", "dbname", "database", "schema")


@dataclass
class Profile:
    """The profile and target used, where they came from, and the settings they give."""

    name: str
    target: str
    file: Path
    type: str
    settings: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """``target 'dev' of dbt profile 'shop' in /x/profiles.yml``."""
        return f"target '{self.target}' of dbt profile '{self.name}' in {self.file}"


class _Refused(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def render(text: str) -> Any:
    """Render the ``env_var`` Jinja of a profile value; a value that is one ``{{ }}`` keeps its filter type.

    Raises:
        _Refused: Jinja other than ``env_var``, or an unset variable without a default.
    """
    if "{%" in text or "{#" in text:
        raise _Refused(
            f"{text!r} uses Jinja statements or comments",
            "metricmind renders only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }} in profiles",
        )
    whole = _JINJA.fullmatch(text.strip())
    out = _JINJA.sub(lambda m: str(_env_var(m.group(1), text)), text)
    if whole is not None:
        filters = _filters(whole.group(1))
        if filters & {"as_number", "int"}:
            try:
                return int(out) if "int" in filters or out.strip().lstrip("-").isdigit() else float(out)
            except ValueError as exc:
                raise _Refused(f"{text!r} is not a number ({out!r})", "set the variable to a number") from exc
        if "as_bool" in filters:
            return out.strip().lower() in ("true", "1", "yes")
    return out


def _filters(expr: str) -> set[str]:
    m = _ENV_VAR.match(expr)
    return {f.strip() for f in m.group(5).split("|") if f.strip()} if m else set()


def _env_var(expr: str, text: str) -> str:
    m = _ENV_VAR.match(expr)
    if m is None:
        raise _Refused(
            f"{text!r} uses Jinja other than env_var",
            "metricmind renders only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }} in profiles",
        )
    unknown = _filters(expr) - _FILTERS
    if unknown:
        raise _Refused(
            f"{text!r} uses the Jinja filter {', '.join(sorted(unknown))}",
            f"use one of {', '.join(sorted(_FILTERS))}, or none",
        )
    name, default = m.group(2), m.group(4)
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise _Refused(
                f"environment variable {name} is not set",
                f"export {name}=…, or give a default: {{{{ env_var('{name}', '…') }}}}",
            )
        return default
    return value


def _render_tree(value: Any) -> Any:
    if isinstance(value, str):
        return render(value) if "{" in value else value
    if isinstance(value, dict):
        return {k: _render_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_render_tree(v) for v in value]
    return value


def profiles_dirs(root: Path, profiles_dir: str | None) -> list[Path]:
    """Where ``profiles.yml`` is looked for, in order (dbt's order, with the project folder for the cwd)."""
    if profiles_dir:
        return [Path(profiles_dir).expanduser()]
    env = os.environ.get("DBT_PROFILES_DIR")
    if env:
        return [Path(env).expanduser()]
    return [root, Path("~/.dbt").expanduser()]


def read(
    root: Path,
    project_settings: dict[str, Any],
    issues: IssueList,
    *,
    profiles_dir: str | None = None,
    target: str | None = None,
) -> Profile | None:
    """The dbt profile of the project at ``root``, or None when there is none to read.

    Not read when ``metricmind.yml`` already says where the warehouse is (``warehouse.type`` with
    ``path``, ``dsn`` or ``url``): it overrides the profile entirely. Problems become issues on ``profiles.yml``.
    """
    wh = project_settings.get("warehouse") if isinstance(project_settings, dict) else None
    if isinstance(wh, dict) and wh.get("type") and (wh.get("path") or wh.get("dsn") or wh.get("url")):
        return None
    dbt_project = root / "dbt_project.yml"
    if not dbt_project.exists():
        return None
    try:
        docs = load_documents(dbt_project, "dbt_project.yml")
    except YamlProblem as exc:
        issues.error(exc.message, exc.file, exc.line, exc.hint, code="yaml")
        return None
    doc = docs[0] if docs and isinstance(docs[0], Node) else None
    raw_name = doc.get("profile") if doc else None
    if not raw_name:
        return None
    try:
        name = str(render(str(raw_name)))
    except _Refused as exc:
        line = doc.line_of("profile") if doc else None
        issues.error(f"profile: {exc.message}", "dbt_project.yml", line, exc.hint, code="profile")
        return None
    explicit = profiles_dir or config.resolve("profiles_dir", project_settings)
    dirs = profiles_dirs(root, str(explicit) if explicit else None)
    file = next((d / PROFILES_FILE for d in dirs if (d / PROFILES_FILE).exists()), None)
    if file is None:
        if explicit or os.environ.get("DBT_PROFILES_DIR"):
            issues.error(
                f"no {PROFILES_FILE} in {dirs[0]} (the profiles folder given)",
                hint="pass the folder that holds profiles.yml with --profiles-dir",
                code="profile",
            )
        elif not (isinstance(wh, dict) and (wh.get("path") or wh.get("dsn") or wh.get("url"))):
            issues.warning(
                f"dbt profile '{name}' (named in dbt_project.yml) was not found in "
                f"{' or '.join(str(d / PROFILES_FILE) for d in dirs)}; using the warehouse of metricmind.yml "
                "or the defaults",
                "dbt_project.yml",
                doc.line_of("profile") if doc else None,
                "pass --profiles-dir DIR, or set warehouse: in metricmind.yml",
                code="profile",
            )
        return None
    return _read_file(file, name, target or _target_setting(project_settings), issues)


def _target_setting(project_settings: dict[str, Any]) -> str | None:
    value = config.resolve("target", project_settings) or os.environ.get("DBT_TARGET")
    return str(value) if value else None


def _read_file(file: Path, name: str, target: str | None, issues: IssueList) -> Profile | None:
    shown = str(file)
    try:
        docs = load_documents(file, shown)
    except YamlProblem as exc:
        issues.error(exc.message, exc.file, exc.line, exc.hint, code="profile")
        return None
    profiles = docs[0] if docs and isinstance(docs[0], Node) else Node()
    profile = profiles.get(name)
    if not isinstance(profile, Node):
        known = sorted(k for k, v in profiles.items() if isinstance(v, dict) and "outputs" in v)
        issues.error(
            f"dbt profile '{name}' (named in dbt_project.yml) is not in {shown}",
            shown,
            None,
            f"profiles there: {', '.join(known)}" if known else "add the profile, or pass --profiles-dir",
            code="profile",
        )
        return None
    outputs = profile.get("outputs")
    try:
        chosen = target or (str(render(str(profile["target"]))) if profile.get("target") else "default")
    except _Refused as exc:
        line = profile.line_of("target")
        issues.error(f"profile '{name}': target: {exc.message}", shown, line, exc.hint, code="profile")
        return None
    out = outputs.get(chosen) if isinstance(outputs, Node) else None
    if not isinstance(out, Node):
        known = sorted(outputs) if isinstance(outputs, dict) else []
        issues.error(
            f"dbt profile '{name}' has no target '{chosen}'",
            shown,
            profile.line_of("outputs"),
            f"targets: {', '.join(known)}; pass --target NAME" if known else "add outputs: {dev: {type: …}}",
            code="profile",
        )
        return None
    values: dict[str, Any] = {}
    for key, raw in out.items():
        try:
            values[key] = _render_tree(raw)
        except _Refused as exc:
            issues.error(
                f"target '{chosen}' of dbt profile '{name}': {key}: {exc.message}",
                shown,
                out.line_of(key),
                exc.hint,
                code="profile",
            )
            return None
    kind = str(values.get("type") or "").lower()
    result = Profile(name, chosen, file, kind)
    where = f"target '{chosen}' of dbt profile '{name}'"
    if kind == "duckdb":
        path = values.get("path")
        if not path or str(path) == ":memory:":
            issues.error(
                f"{where} has no DuckDB file (path)",
                shown,
                out.line,
                "set path: to the DuckDB file dbt builds (an in-memory database has no tables to query)",
                code="profile",
            )
            return None
        result.settings = {"type": "duckdb", "path": str(path), "schema": str(values.get("schema") or "main")}
    elif kind in ("postgres", "postgresql"):
        missing = [k for k in ("host", "user") if not values.get(k)]
        if not (values.get("dbname") or values.get("database")):
            missing.append("dbname")
        if missing:
            issues.error(
                f"{where} has no {', '.join(missing)}",
                shown,
                out.line,
                "dbt-postgres needs host, user, dbname and schema",
                code="profile",
            )
            return None
        result.settings = {"type": "postgres", "dsn": postgres_dsn(values)}
        if values.get("schema"):
            result.settings["schema"] = str(values["schema"])
        if values.get("role"):
            result.settings["role"] = str(values["role"])
    else:
        issues.warning(
            f"{where} is of type '{kind}'; metricmind reads duckdb and postgres profiles",
            shown,
            out.line_of("type"),
            "set warehouse: {type: …, dsn: …} in metricmind.yml, or install an adapter for it "
            "(see docs/settings.md)",
            code="profile",
        )
        result.settings = {"type": kind}
    return result


def postgres_dsn(values: dict[str, Any]) -> str:
    """A ``postgresql://`` URL from dbt-postgres profile fields (user and password URL-quoted)."""
    user = quote(str(values.get("user") or ""), safe="")
    password = values.get("password", values.get("pass"))
    auth = f"{user}:{quote(str(password), safe='')}@" if password not in (None, "") else f"{user}@"
    host = str(values.get("host") or "localhost")
    port = int(values.get("port") or 5432)
    db = quote(str(values.get("dbname") or values.get("database") or ""), safe="")
    params = [
        f"{k}={quote(str(values[k]), safe='')}"
        for k in ("sslmode", "connect_timeout", "application_name")
        if values.get(k) not in (None, "")
    ]
    return f"postgresql://{auth}{host}:{port}/{db}" + (f"?{'&'.join(params)}" if params else "")


def merge(profile: dict[str, Any], project: dict[str, Any]) -> dict[str, Any]:
    """``project`` settings over ``profile`` ones (nested mappings merged key by key)."""
    out = dict(profile)
    for key, value in project.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
