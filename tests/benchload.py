"""The benchmark scripts under ``bench/`` as modules, for tests that reuse their loaders and comparisons.

``bench/`` holds scripts, not a package: each is loaded from its file once per process under the name
``metricmind_bench_<script>``, with the repository root on ``sys.path`` so a script that imports another
(``bench/define_foreign.py`` imports ``bench.define``) finds it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_bench(script: str) -> ModuleType:
    """``bench/<script>.py`` as a module, loaded once per process."""
    name = f"metricmind_bench_{script}"
    if name in sys.modules:
        return sys.modules[name]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{script}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
