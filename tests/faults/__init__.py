"""The fault suite: hostile files, full and read-only disks, damaged libraries, killed processes."""
