"""Imported by the harness's fork server only: loads what laptop processes need, once."""

from tests.sync.harness import _warm

_warm()
