"""Checks of what a person typed: the name, sizes, and free text that could smuggle YAML or templates."""

from __future__ import annotations

import re

from metricmind.define.proposal import Definition
from metricmind.spec.model import Model

NAME = re.compile(r"^[a-z][a-z0-9_]{0,127}$")
#: Free text that could smuggle YAML or Jinja into the generated files.
INJECTION = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f]|\{\{|\{%|\{#|^\s*---|^\s*[!&*|>%@`]|:\s*[!&*]|\n", re.MULTILINE
)
MAX_TEXT = 1000
MAX_RULES = 20


def check_input(definition: Definition, model: Model) -> tuple[str, str] | None:
    """(refusal code, message) for a bad name or text, else ``None``."""
    name = definition.name
    if not NAME.match(name):
        return "bad_input", (
            f"metric name {name!r} is not valid: use lower_snake_case (letters, digits and _), "
            "at most 128 characters"
        )
    if name in model.metrics:
        status = model.metrics[name].meta.get("status", "published")
        return "name_exists", (
            f"a metric called {name!r} already exists ({status}); choose another name, or edit it instead"
        )
    texts = [("definition", definition.text)] + [(f"rule {i + 1}", r) for i, r in enumerate(definition.rules)]
    if not definition.text.strip():
        return "bad_input", "the definition is empty: say in one line what the metric measures"
    if len(definition.rules) > MAX_RULES:
        return "bad_input", f"{len(definition.rules)} rules given; at most {MAX_RULES} are read"
    for where, text in texts:
        if len(text) > MAX_TEXT:
            return "bad_input", f"the {where} is {len(text):,} characters long; at most {MAX_TEXT:,} are read"
        if INJECTION.search(text):
            return "bad_input", (
                f"the {where} {text[:60]!r} holds YAML or template syntax (a line break, '{{{{', '{{%', "
                "'---' or a YAML tag); write plain sentences"
            )
    return None
