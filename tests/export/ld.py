"""Reading a page's JSON-LD back: every object it declares, and the one of a given type."""

from __future__ import annotations

import json
from typing import Any


def ld_objects(text: str) -> list[dict[str, Any]]:
    """The objects of a JSON-LD script (one object, or an array of them)."""
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def ld_of_type(text: str, kind: str = "NewsArticle") -> dict[str, Any]:
    """The one object of type `kind`; fails when there is none, or more than one."""
    (found,) = [o for o in ld_objects(text) if o.get("@type") == kind]
    return found
