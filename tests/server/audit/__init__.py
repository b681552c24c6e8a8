"""Tests of the hub audit log (#11)."""
