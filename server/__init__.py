"""The central hub (FastAPI + SQLModel + Alembic): identity, sync, exchange. Imports no Qt."""
