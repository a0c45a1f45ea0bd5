"""newsdesk: a desktop newsroom editor (the package root; holds only the version)."""

from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("newsdesk")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
