"""The frozen app's entry point: the command line, with multiprocessing ready for a bundle."""

from __future__ import annotations

import multiprocessing

from newsdesk.cli import main

if __name__ == "__main__":
    # Bulk image import starts worker processes; in a frozen app they re-run this
    # executable, and freeze_support() turns those runs into workers, not new editors.
    multiprocessing.freeze_support()
    raise SystemExit(main())
