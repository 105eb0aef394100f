"""Alembic migrations; applied at bot start and by ``python -m bot db upgrade``."""
