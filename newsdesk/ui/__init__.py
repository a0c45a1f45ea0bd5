"""The Qt user interface: the main window, editor, library browser, preview and dialogs.

PySide6 is pinned below 6.12: the 6.12.0 wheels drop a reference to None on
every binding call that returns nothing (and to True on every signal emit),
which aborts CPython 3.11 after a few thousand calls.
"""
