"""Publishing stories into other systems (WordPress): above export, below the command line and the UI."""
