"""The governed metric catalog: a pure workflow (``workflow``) and its store (``service.Catalog``).

SQLAlchemy is imported by ``service`` and ``schema`` only; ``workflow`` has no I/O.
"""

from __future__ import annotations
