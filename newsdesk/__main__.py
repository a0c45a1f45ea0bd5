"""`python -m newsdesk` runs the command line (which opens the editor by default)."""

from newsdesk.cli import main

raise SystemExit(main())
