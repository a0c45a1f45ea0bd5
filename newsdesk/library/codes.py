"""Code replacements: the newsroom's shorthand, `=jd=` typed anywhere becomes "Jane Doe / Harbour Agency".

Plain functions on text, so the UI's fields and any other writer expand the
same way; the table itself lives in the library (Library.code_replacements).
"""

from __future__ import annotations

import re

from newsdesk.library.errors import LibraryError

CODE_PATTERN = re.compile(r"=([A-Za-z0-9_.\-]{1,40})=")
VALID_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


class CodeError(LibraryError):
    """A code replacement cannot be stored as given; the message says why."""


def normalise_code(code: str) -> str:
    """The code as stored: without surrounding = signs or spaces; raises CodeError if unusable."""
    bare = code.strip().strip("=").strip()
    if not VALID_CODE.fullmatch(bare):
        raise CodeError(
            f"The code {code.strip()!r} cannot be used: a code is 1 to 40 letters, digits, "
            "dots, dashes or underscores, typed between = signs (such as =jd=)."
        )
    return bare


def expand_codes(text: str, table: dict[str, str]) -> str:
    """Every `=code=` in the text that the table knows, replaced (codes are case-sensitive)."""
    if "=" not in text or not table:
        return text
    return CODE_PATTERN.sub(lambda m: table.get(m.group(1), m.group(0)), text)


def code_before(text: str, cursor: int, table: dict[str, str]) -> tuple[int, str] | None:
    """The `=code=` that ends right at the cursor, as (where it starts, its replacement), or None.

    The typing hook uses this: only the characters just typed are looked at,
    so a keystroke costs the same in a caption and in a 20,000-word body.
    """
    if cursor < 3 or text[cursor - 1 : cursor] != "=" or not table:
        return None
    start = text.rfind("=", max(0, cursor - 43), cursor - 1)
    if start < 0:
        return None
    code = text[start + 1 : cursor - 1]
    replacement = table.get(code)
    if replacement is None:
        return None
    return start, replacement
