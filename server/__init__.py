"""The central hub (FastAPI + SQLModel); arrives with the hub issue. Imports no Qt."""
