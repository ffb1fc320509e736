"""The knowledge graph: what the warehouse is used for, and what the semantic layer should become.

- ``ingest``: store query log records idempotently (source + external id); ``Recorder`` records the
  project's own executions (attach ``record_execution`` to ``Project.listeners``).
- ``process``: fold stored records into the graph incrementally (``Processor``); ``sync``: the model's
  metrics, dimensions, tables, columns and canonical datasets.
- ``graph``: pure functions returning dicts — ``best_path``, ``top``, ``depends``, ``impact``, ``summary``.
- ``mining`` → ``nightly``: proposals (new metrics, new dimensions, deprecations), popularity and trends,
  written to a git branch with ``PROPOSAL.md``; ``review``: list, show, approve (merge), reject.

Tables are declared in ``schema`` on ``metricmind.storage.metadata`` (Alembic branch ``knowledge``).
"""
