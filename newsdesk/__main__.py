"""`python -m newsdesk` runs the command line (which opens the editor by default)."""

from newsdesk.cli import main

# Guarded: bulk image work runs in worker processes that import __main__.
if __name__ == "__main__":
    raise SystemExit(main())
