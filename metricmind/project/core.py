"""The ``Project`` facade, assembled from its parts."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from metricmind.errors import (
    Level,
    SpecError,
)
from metricmind.spec import rules
from metricmind.spec.loader import empty_project_error, load
from metricmind.spec.triage import Refusals, triage

if TYPE_CHECKING:
    pass
from metricmind.project.defining import DefineMixin
from metricmind.project.governing import GovernMixin
from metricmind.project.memory import MemoryMixin
from metricmind.project.state import find_root, setting_dialect
from metricmind.project.trending import TrendingMixin
from metricmind.project.validation import ValidationMixin


class Project(ValidationMixin, MemoryMixin, GovernMixin, DefineMixin, TrendingMixin):
    """A loaded project: its model, settings, compiler and (lazily) its warehouse and stores.

    One facade over parts that each own a concern: ``ProjectState`` (model, settings, catalog, what the
    model offers), ``WarehouseMixin``, ``RunMixin`` (compile and run), ``WordsMixin`` (vocabulary,
    resolver), ``MemoryMixin`` (episodes, recall, feedback into memory), ``TrendingMixin`` (the
    nightly learner's trending metrics) and ``ValidationMixin``.
    """

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        strict: bool = False,
        profiles_dir: str | None = None,
        target: str | None = None,
    ) -> Project:
        """Load a project folder: everything that loads, even when some of the YAML has errors.

        An object with an error, and everything that depends on it, is left out of ``model`` and listed
        in ``unavailable`` with the root cause; querying it raises ``UnavailableError`` naming that cause.
        ``issues`` holds the root causes first; errors that only follow from them are not repeated.

        Args:
            path: The project folder (default: the current folder if it is a project, else the demo).
            strict: Raise ``SpecError`` (listing every root cause) when the YAML has any error.
            profiles_dir: Folder of the dbt ``profiles.yml`` (default: dbt's search order).
            target: dbt target to use (default: the profile's).

        Raises:
            SpecError: With ``strict``, when there is an error.
            EmptyProjectError: The folder defines no semantic model at all (says what was looked for).
        """
        root = find_root(path)
        result = load(root, profiles_dir=profiles_dir, target=target)
        issues = list(result.issues) + rules.check(result.model, dialect=setting_dialect(result.settings))
        found = triage(result.model, issues, result.spans, result.broken_files)
        errors = [i for i in found.issues if i.level is Level.ERROR]
        if strict and errors:
            raise SpecError(found.issues)
        if not result.model.semantic_models and not errors:
            raise empty_project_error(root, result)
        project = cls(root, found.model, found.issues, result.settings)
        project.unavailable = found.unavailable
        project.defined = result.model
        project.profile = result.profile
        project._refusals = Refusals(result.model, found.unavailable)
        return project

    def close(self) -> None:
        """Close the warehouse connection and the catalog store's engine (when opened)."""
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None
        self.__dict__.pop("vocabulary", None)
        catalog = self.__dict__.pop("catalog", None)
        if catalog is not None:
            catalog.close()
        learner = self.__dict__.pop("learner", None)
        if learner is not None:
            learner.close()
        memory = self.__dict__.pop("memory", None)
        if memory is not None:
            memory.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
