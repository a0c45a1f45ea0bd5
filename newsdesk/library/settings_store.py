"""The Library's own settings: key-value settings, the publication (name, address, language, time
zone) and the newsroom dictionary.

A mixin of the Library facade (library.py): it uses the facade's sessions, so
every write is one transaction and lands in the change log like any other.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsdesk import settings
from newsdesk.library import publication as publication_settings
from newsdesk.library.errors import LibraryError
from newsdesk.library.models import DictionaryWord, Publication, Setting, utcnow


class SettingsRecords:
    """Settings, the publication and the newsroom dictionary (part of Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._session() as s:
            row = s.get(Setting, key)
            return default if row is None else json.loads(row.value)

    def set_setting(self, key: str, value: Any) -> None:
        with self._session() as s, s.begin():
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=json.dumps(value)))
            else:
                row.value = json.dumps(value)

    # ---- the newsroom dictionary ------------------------------------------
    def newsroom_words(self) -> list[str]:
        """The newsroom dictionary: names and places spelled right in every story."""
        return [w for (w,) in self._rows(select(DictionaryWord.word).order_by(DictionaryWord.word))]

    def add_newsroom_word(self, word: str) -> str:
        """Add a word to the newsroom dictionary (kept once); returns it as stored."""
        word = " ".join(word.split())
        if not word or len(word) > 100 or " " in word:
            raise LibraryError(
                "A dictionary word is one word of at most 100 characters; type just the word."
            )
        with self._session() as s, s.begin():
            if s.get(DictionaryWord, word) is None:
                s.add(DictionaryWord(word=word))
        return word

    def remove_newsroom_word(self, word: str) -> bool:
        """Take a word out of the newsroom dictionary; False when it was not there."""
        with self._session() as s, s.begin():
            row = s.get(DictionaryWord, word.strip())
            if row is None:
                return False
            s.delete(row)
            return True

    def publication(self) -> Publication:
        with self._session() as s, s.begin():
            pub = s.scalars(select(Publication).order_by(Publication.id)).first()
            if pub is None:
                # No base URL until someone sets one: an invented address would put
                # canonical links and sitemaps on a domain the newsroom does not own.
                pub = Publication(
                    name=publication_settings.DEFAULT_NAME,
                    base_url="",
                    language=publication_settings.DEFAULT_LANGUAGE,
                    timezone=publication_settings.DEFAULT_TIMEZONE,
                )
                if self.read_only:
                    return pub  # the defaults, shown but not stored: nothing can be stored
                s.add(pub)
                s.flush()
            return pub

    def update_publication(self, **fields: Any) -> Publication:
        allowed = {s.key for s in settings.declared(settings.PUBLICATION)}
        unknown = fields.keys() - allowed
        if unknown:
            raise TypeError(f"unknown publication fields: {', '.join(sorted(unknown))}")
        pub_id = self.publication().id
        with self._session() as s, s.begin():
            pub = s.get(Publication, pub_id)
            for key, value in fields.items():
                setattr(pub, key, value)  # through the session, so the change is logged
            pub.updated_at = utcnow()
        return self.publication()
