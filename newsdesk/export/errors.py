"""The export's two failures, each carrying one sentence for the user: it could not be written,
or it was cancelled; either way the previous site is left as it was (export/writer.py)."""

from __future__ import annotations


class ExportError(Exception):
    """The export could not be written; the message says why and what to do. The old site is intact."""


class ExportCancelled(ExportError):
    """The export was cancelled; the previous site was left as it was."""
