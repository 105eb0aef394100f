"""Persistence: typed models, engine, migrations, repositories and the unit of work."""
