"""The governed metric catalog: a pure workflow (``workflow``) and its store (``service.Catalog``).

``service.Catalog`` is made of one mixin per concern (``base``, ``accounts``, ``index``, ``drafts``,
``approval``, ``certification``, ``history``, ``recording``). SQLAlchemy is imported by the store's
modules only; ``workflow`` has no I/O.
"""

from __future__ import annotations
