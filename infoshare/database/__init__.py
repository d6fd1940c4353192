"""The relational store: people directory, proposals, decision log, notification queue and
the register of agreements. SQLAlchemy 2 ORM, migrated with Alembic (SQLite or PostgreSQL)."""
