"""Domain types, settings, typed errors and events shared by every part of RoundTwo (no Qt)."""
