"""Persistence: SQLAlchemy models, the async engine factory, migrations and queries.

Submodules are imported explicitly (``thumper_tui.store.engine`` and so on) so that reading a
URL or a setting never pays for loading the whole ORM.
"""
