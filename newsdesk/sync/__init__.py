"""Sync: a laptop's library and the newsroom's shared one, merged field by field (Qt-free)."""

from newsdesk.sync.engine import SyncReport, linked_server, sync
from newsdesk.sync.server import SignInRefused, SyncError, Unreachable

__all__ = ["SignInRefused", "SyncError", "SyncReport", "Unreachable", "linked_server", "sync"]
