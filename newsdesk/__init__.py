"""newsdesk: a desktop newsroom editor (the package root; holds only the version)."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Read on first use: importlib.metadata costs tens of milliseconds at every start.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("newsdesk")
        except metadata.PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0+source"
    raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
