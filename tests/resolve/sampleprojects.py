"""The sample projects the generated phrase tests read (``flagphrases.BUILDERS``), each built on first use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.resolve.flagphrases import BUILDERS
from tests.shared_demo import shared_copy

PROJECTS = ("demo", *BUILDERS)
"""The demo and every sample project (``flagphrases.BUILDERS``)."""


class SampleProjects:
    """Each sample project, built once per run (the foreign ones under the keys their own tests use, so a run
    builds each once) and loaded when first asked for; the demo is the resolve tests' own build.
    """

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, demo: Project) -> None:
        self.factory = tmp_path_factory
        self.loaded: dict[str, Project] = {"demo": demo}

    def __getitem__(self, name: str) -> Project:
        if name not in self.loaded:
            target = self.factory.mktemp(f"{name}-phrases") / name
            self.loaded[name] = Project.load(shared_copy(self.factory, name, BUILDERS[name], target))
        return self.loaded[name]

    def reader(self, name: str) -> tuple[Resolver, dict[str, list[str]]]:
        """The project's resolver (the demo's from its catalog alone, as the demo's sets are read) and the
        dimension values its warehouse holds (none for the demo).
        """
        project = self[name]
        if name == "demo":
            return Resolver(project.model), {}
        return project.resolver(), project.dimension_values()

    def close(self) -> None:
        for name, project in self.loaded.items():
            if name != "demo":
                project.close()


@pytest.fixture(scope="session")
def sample_projects(
    tmp_path_factory: pytest.TempPathFactory, resolve_demo: Project
) -> Iterator[SampleProjects]:
    """Every sample project, built and loaded on first use; closed at the end of the run."""
    projects = SampleProjects(tmp_path_factory, resolve_demo)
    yield projects
    projects.close()
