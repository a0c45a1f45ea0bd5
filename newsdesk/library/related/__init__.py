"""Related stories, in the parts a newcomer can name.

terms.py    term statistics: tokens, document frequencies, distinctive terms
suggest.py  suggestions: terms, weights, the reasons shown, the CLI's output
gather.py   the two queries a suggestion makes: the article; its candidates scored, with cards
cards.py    the cards a picker lists, and what is wrong with an article's links
picker.py   the related picker's queries: search with its filters, suggestions as rows
"""

from __future__ import annotations

from newsdesk.library.related.cards import StoryCard, related_problem, related_problems, story_cards
from newsdesk.library.related.suggest import (
    Suggestion,
    format_suggestions,
    suggest_related,
    suggestion_json,
    top_terms,
)
from newsdesk.library.related.terms import (
    STATS_SYNC_MAX_ARTICLES,
    forget_statistics,
    refresh_term_stats,
    tokens,
    wait_for_term_stats,
)

__all__ = [
    "STATS_SYNC_MAX_ARTICLES",
    "StoryCard",
    "Suggestion",
    "forget_statistics",
    "format_suggestions",
    "refresh_term_stats",
    "related_problem",
    "related_problems",
    "suggest_related",
    "story_cards",
    "suggestion_json",
    "tokens",
    "top_terms",
    "wait_for_term_stats",
]
