"""Alembic migrations of the project store."""
