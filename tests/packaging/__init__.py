"""Tests of the packaged desktop app (issue 12)."""
