"""Revisions, one Alembic branch per area (catalog_*, knowledge_*, learn_*)."""
