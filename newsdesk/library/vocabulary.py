"""The library's fixed vocabularies (statuses, roles, kinds, template fields), free of SQLAlchemy.

The command line's argument parser offers these as choices; keeping them apart
from the models lets `newsdesk --help` build its parser without loading the ORM.
"""

from __future__ import annotations

ARTICLE_STATUSES = ("draft", "editing", "ready", "published")
FIGURE_ROLES = ("hero", "inline")
UPDATE_KINDS = ("update", "correction")
AUTHOR_ROLES = ("person", "staff", "agency")

# The fields a photo-desk template may set, in the order its dialog shows them.
TEMPLATE_FIELDS = (
    "credit",
    "creator",
    "copyright",
    "source",
    "usage_terms",
    "instructions",
    "city",
    "country",
    "keywords",
)
