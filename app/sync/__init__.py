"""Offline-first sync with the hub: wire protocol (shared with server/), outbox, client."""
