"""Term statistics for related stories: tokens, how many stories hold each term, distinctive terms."""

from __future__ import annotations

import functools
import math
import re
import threading
import time
import unicodedata
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from newsdesk.library import search
from newsdesk.library.errors import LibraryError
from newsdesk.library.library import Library
from newsdesk.text import plain_text

VOCAB_TABLE = "articles_fts_vocab"


TOP_TERMS = 12  # the article's most distinctive terms, OR-ed into one ranked query
MATCH_BUDGET = 3_000  # stories the OR-ed terms may match in all (ranking each costs ~2 us)
TF_SHORTLIST = 64  # terms looked up in the vocabulary, picked by frequency first
# Below this many stories, "in more than half of them" is not yet a sign of a
# word that means nothing (three stories about one ferry are half of six).
MIN_LIBRARY_FOR_COMMON = 50

# Frequent English function words: they never make a story distinctive, and
# skipping them saves looking up the longest lists in the index.
_STOPWORD_TEXT = """
    about above after again against all also although among and another any are around
    because been before being below between both but can cannot could did does doing down
    during each either even ever every few for from further had has have having her here
    hers herself him himself his how however into its itself just last least less like
    made make many may more most much must near neither next nor not now off once one only
    onto other others our ours out over own per rather said same say says she should since
    some still such than that the their theirs them themselves then there these they this
    those though through thus till too two under until upon very was were what when where
    whether which while who whom whose why will with within without would yet you your
    yours yourself new year years time first told week according three
    """
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Image and link targets (image:UID, URLs) are not words of the story.
_TARGETS = re.compile(r"\]\([^)]*\)|https?://\S+")


def tokens(text_: str) -> list[str]:
    """Words as the full-text index sees them: lower case, accents removed, no underscores."""
    folded = text_.lower()
    if not folded.isascii():  # plain ASCII has no accents to take off (most of a story's text)
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _TOKEN.findall(folded)


@functools.lru_cache(maxsize=16)
def indexed_words(saved_text: str) -> frozenset[str]:
    """The words the index holds for a story's saved text (the same text asks again per keystroke)."""
    return frozenset(tokens(plain_text(_TARGETS.sub(" ", saved_text))))


def _is_term(word: str) -> bool:
    return len(word) >= 3 and not word.isdigit() and word not in STOPWORDS


def term_frequencies(headline: str, dek: str, body: str) -> Counter[str]:
    """How often each candidate term occurs; words in the headline and dek count extra."""
    counts: Counter[str] = Counter()
    for weight, part in ((3, headline), (2, dek), (1, plain_text(_TARGETS.sub(" ", body)))):
        # Each distinct word is judged once (a body repeats most of its words);
        # Counter keeps first occurrences in order, so ties rank as before.
        for word, n in Counter(tokens(part)).items():
            if _is_term(word):
                counts[word] += weight * n
    return counts


# ---- document frequencies ---------------------------------------------------
# How many stories hold each of the article's shortlisted terms decides which
# terms are distinctive. fts5vocab answers by walking a word's whole posting
# list, so the first suggestion in a process cost ~95 ms (p50) at 100,000
# stories, mostly on the 40-odd shortlisted words found in thousands of them.
# Measured there, per suggestion (64 shortlisted terms):
#   fts5vocab for every term                          p50 90 ms, max 172 ms
#   MATCH for every term, stopped at DF_CAP stories   p50 15 ms, max 34 ms
#   fts5vocab for the terms a snapshot does not list  p50  2.5 ms (fresh process)
#   the same with MATCH, stopped at DF_CAP            p50  4.9 ms (fresh process)
#   a snapshot of the common words from fts5vocab     1.1-1.4 s, now and then
# A term in more than common_floor(total) stories is never chosen (see
# distinctive_terms), so only those words need remembering, and below the
# floor a count may stop at DF_CAP without changing any answer. Hence a
# persisted snapshot (STATS_TABLE) of just the common words, and live counts
# for all others: rare words, whose counts matter most and move fastest, are
# always counted now, and the snapshot only spares walking the long lists.
# A stale snapshot (library grown or shrunk by more than STATS_MAX_DRIFT, or
# older than STATS_MAX_AGE_SECONDS) is not used at all: that suggestion
# counts every term with MATCH up to DF_CAP (slower, never wrong) while a new
# one is taken, in the calling thread for a small library and in a
# background thread for a large one.
# Weighed and left: looking up only the top terms by frequency changes which
# terms win (a rare word may be mentioned once); a file under cache_dir would
# need the same staleness rules without living in the database it describes
# (copied, backed up and locked with it); batching does not help, since the
# lookups are already one query and the cost is in walking the lists.
STATS_TABLE = "articles_fts_stats"
# Counting a term's stories stops here: a term in more stories than
# MATCH_BUDGET can never be chosen, so its exact count beyond that changes nothing.
DF_CAP = MATCH_BUDGET + 1
# Rows of the snapshot that describe it rather than a term ('#' is never part of a term).
STATS_ARTICLES_KEY = "#articles"  # stories in the library when it was taken
STATS_TAKEN_KEY = "#taken"  # when it was taken, in seconds since the epoch
STATS_MAX_DRIFT = 0.05
STATS_MAX_AGE_SECONDS = 24 * 3600.0  # edits change counts without changing the total
# Up to this size a snapshot takes tens of milliseconds (17 ms at 1,000
# stories, 170 ms at 10,000), so the suggestion that finds it stale waits for it.
STATS_SYNC_MAX_ARTICLES = 2_000
STATS_RETRY_SECONDS = 300.0  # after a snapshot could not be written (read-only library, say)
_STATS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {STATS_TABLE} "
    "(term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID"
)


def common_floor(total: int) -> int:
    """A term in more stories than this is never chosen as distinctive (see distinctive_terms)."""
    if total > MIN_LIBRARY_FOR_COMMON:
        return min(MATCH_BUDGET, total // 2)
    return MATCH_BUDGET


@dataclass(slots=True)
class _Snapshot:
    """What the persisted snapshot holds for some terms (common words only), and its age."""

    articles: int
    taken: float
    df: dict[str, int]

    def fresh(self, total: int, now: float) -> bool:
        """Taken close enough to this library size and recently enough to be believed."""
        drift_ok = abs(total - self.articles) <= STATS_MAX_DRIFT * self.articles
        return drift_ok and 0 <= now - self.taken <= STATS_MAX_AGE_SECONDS


def _read_snapshot(conn: Connection, terms: Sequence[str]) -> _Snapshot | None:
    """The snapshot's rows for these terms (None when none was taken, or cannot be kept)."""
    stmt = text(f"SELECT term, doc FROM {STATS_TABLE} WHERE term IN :keys").bindparams(
        bindparam("keys", expanding=True)
    )
    keys = [*terms, STATS_ARTICLES_KEY, STATS_TAKEN_KEY]
    try:
        rows = dict(conn.execute(stmt, {"keys": keys}).all())
    except OperationalError:  # no table: the index came later to a library opened read-only
        return None
    articles, taken = rows.pop(STATS_ARTICLES_KEY, None), rows.pop(STATS_TAKEN_KEY, None)
    if articles is None or taken is None:
        return None
    return _Snapshot(articles, float(taken), rows)


def _count_now(conn: Connection, terms: Sequence[str]) -> dict[str, int]:
    """How many stories hold each term, counted in the index up to DF_CAP."""
    if not terms:
        return {}
    # Selecting a constant reads no text, and without ORDER BY the posting
    # list is walked in rowid order, so LIMIT really stops the walk.
    parts = [
        f"SELECT {n}, (SELECT count(*) FROM (SELECT 1 FROM {search.FTS_TABLE} "
        f"WHERE {search.FTS_TABLE} MATCH :t{n} LIMIT {DF_CAP}))"
        for n in range(len(terms))
    ]
    params = {f"t{n}": f'"{term}"' for n, term in enumerate(terms)}
    return {terms[n]: count for n, count in conn.execute(text(" UNION ALL ".join(parts)), params)}


def refresh_term_stats(library: Library) -> int:
    """Take a new snapshot of the common words' counts now, in this thread; how many it holds.

    Reads the whole vocabulary (1.4 s at 100,000 stories) outside any write
    transaction; the write itself takes milliseconds.
    """
    if not _vocab_ready(library):
        return 0
    with library.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        rows = conn.execute(
            text(f"SELECT term, doc FROM {VOCAB_TABLE} WHERE doc > :floor"),
            {"floor": common_floor(total)},
        ).all()
    values = [{"t": term, "d": doc} for term, doc in rows]
    values += [{"t": STATS_ARTICLES_KEY, "d": total}, {"t": STATS_TAKEN_KEY, "d": int(time.time())}]
    with library.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {STATS_TABLE}"))
        conn.execute(text(f"INSERT INTO {STATS_TABLE} (term, doc) VALUES (:t, :d)"), values)
    return len(rows)


class _StatsRefresher:
    """Takes new snapshots when suggestions find them stale: one at a time per library file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, threading.Thread] = {}
        self._failed: dict[str, float] = {}

    def request(self, library: Library, total: int) -> bool:
        """Refresh the snapshot; True when it was refreshed before returning."""
        key = str(library.db_path)
        with self._lock:
            if key in self._running:
                return False
            failed = self._failed.get(key)
            if failed is not None and time.monotonic() - failed < STATS_RETRY_SECONDS:
                return False
            if total <= STATS_SYNC_MAX_ARTICLES:
                background = None
            else:
                # Not a daemon: a command-line run that started it waits for it at
                # exit (after printing), so the next run finds a fresh snapshot.
                background = threading.Thread(
                    target=self._run, args=(library, key), name="newsdesk-term-stats"
                )
                self._running[key] = background
        if background is None:
            return self._run(library, key)
        background.start()
        return False

    def _run(self, library: Library, key: str) -> bool:
        try:
            refresh_term_stats(library)
        except (LibraryError, OperationalError):
            # Suggestions still work without it, counting every term live.
            with self._lock:
                self._failed[key] = time.monotonic()
            return False
        finally:
            with self._lock:
                self._running.pop(key, None)
        with self._lock:
            self._failed.pop(key, None)
        return True

    def wait(self, library: Library, timeout: float | None = None) -> bool:
        """Wait for a background snapshot of this library; False if still running at timeout."""
        with self._lock:
            thread = self._running.get(str(library.db_path))
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


_stats_refresher = _StatsRefresher()


def wait_for_term_stats(library: Library, timeout: float | None = None) -> bool:
    """Wait until a snapshot being taken in the background is written (False on timeout)."""
    return _stats_refresher.wait(library, timeout)


def _vocab_counts(conn: Connection, terms: Sequence[str]) -> dict[str, int]:
    """How many stories hold each term, exactly, from fts5vocab (walks each whole list)."""
    if not terms:
        return {}
    stmt = text(f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term IN :terms").bindparams(
        bindparam("terms", expanding=True)
    )
    return {term: 0 for term in terms} | dict(conn.execute(stmt, {"terms": list(terms)}).all())


def _document_frequencies(
    library: Library, conn: Connection, terms: Sequence[str], total: int
) -> dict[str, int]:
    """Each term's story count: common words from a fresh snapshot, the rest counted now."""
    if conn.dialect.name == "postgresql":
        from newsdesk.library import related_pg  # loads the PostgreSQL dialect: only here

        return related_pg.count_terms(conn, terms, DF_CAP)
    snapshot = _read_snapshot(conn, terms)
    if snapshot is None or not snapshot.fresh(total, time.time()):
        snapshot = None
        if _stats_refresher.request(library, total):
            snapshot = _read_snapshot(conn, terms)
    if snapshot is None:
        # Any word may be common now: count each only as far as it matters.
        return _count_now(conn, terms)
    # A word the fresh snapshot does not list was in at most common_floor
    # stories when it was taken, and the library has changed little since, so
    # its list is short; fts5vocab then reads it in half the time of a MATCH.
    df = dict(snapshot.df)
    df.update(_vocab_counts(conn, [t for t in terms if t not in df]))
    return df


class _DfCache:
    """Document frequencies per library file, kept briefly in memory.

    The picker asks again whenever the body changes, and a word's count barely
    moves from one minute to the next. A fresh process starts empty and gets
    its counts from the persisted snapshot and short live counts.
    """

    TTL_SECONDS = 300.0
    MAX_TERMS = 50_000
    MAX_TAGS = 1_000  # the known ones are named in the article's query, so kept few

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_db: dict[str, tuple[float, int, dict[str, int]]] = {}
        self._tags_by_db: dict[str, tuple[float, dict[int, int]]] = {}

    def lookup(
        self, library: Library, conn: Connection, terms: Iterable[str]
    ) -> tuple[int, dict[str, int]]:
        """The number of stories, and how many of them hold each term (up to DF_CAP)."""
        terms = list(terms)
        key = str(library.db_path)
        now = time.monotonic()
        with self._lock:
            entry = self._by_db.get(key)
            if entry is None or now - entry[0] > self.TTL_SECONDS:
                entry = (now, 0, {})
            born, total, known = entry
            answer = {t: known[t] for t in terms if t in known}
        if not total:
            total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        wanted = [t for t in terms if t not in answer]
        if wanted:
            answer.update(_document_frequencies(library, conn, wanted, total))
        with self._lock:
            if len(known) > self.MAX_TERMS:
                known = {}
            known.update({t: answer[t] for t in wanted})
            self._by_db[key] = (born, total, known)
        return total, answer

    def tag_counts(self, library: Library) -> dict[int, int]:
        """How many stories carry each tag, for the tags counted in the last TTL_SECONDS."""
        with self._lock:
            entry = self._tags_by_db.get(str(library.db_path))
            if entry is None or time.monotonic() - entry[0] > self.TTL_SECONDS:
                return {}
            return dict(entry[1])

    def remember_tag_counts(self, library: Library, counts: dict[int, int]) -> None:
        if not counts:
            return
        key, now = str(library.db_path), time.monotonic()
        with self._lock:
            entry = self._tags_by_db.get(key)
            if entry is None or now - entry[0] > self.TTL_SECONDS or len(entry[1]) > self.MAX_TAGS:
                entry = (now, {})
            entry[1].update(counts)
            self._tags_by_db[key] = entry

    def forget(self, library: Library) -> None:
        with self._lock:
            self._by_db.pop(str(library.db_path), None)
            self._tags_by_db.pop(str(library.db_path), None)


_df_cache = _DfCache()


def forget_statistics(library: Library) -> None:
    """Drop the counts kept in memory, as a fresh process starts; the persisted snapshot stays."""
    _df_cache.forget(library)


# Engines whose library was seen to have its vocabulary and snapshot tables:
# nothing removes them, so each suggestion need not ask again.
_vocab_seen: weakref.WeakSet[Engine] = weakref.WeakSet()


def _vocab_ready(library: Library) -> bool:
    """The vocabulary table exists; made here (with the snapshot's) if the index came later."""
    if library.engine.dialect.name == "postgresql":
        return True  # word counts in term_stats, kept by the writer (related_pg.py)
    if not library.has_fts:
        return False
    if library.engine in _vocab_seen:
        return True
    with library.engine.connect() as conn:
        present = {
            r[0]
            for r in conn.execute(
                text("SELECT name FROM sqlite_master WHERE name IN (:v, :s)"),
                {"v": VOCAB_TABLE, "s": STATS_TABLE},
            )
        }
    if len(present) == 2:
        _vocab_seen.add(library.engine)
        return True
    try:
        with library.engine.begin() as conn:
            conn.execute(
                text(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB_TABLE} "
                    f"USING fts5vocab({search.FTS_TABLE}, 'row')"
                )
            )
            conn.execute(text(_STATS_DDL))
    except (LibraryError, OperationalError):
        # Read-only, say: without a snapshot every term is counted live.
        return VOCAB_TABLE in present
    _vocab_seen.add(library.engine)
    return True


def idf(df: int, total: int) -> float:
    """Inverse document frequency as BM25 uses it: never negative, large for rare terms."""
    return math.log(1.0 + (total - df + 0.5) / (df + 0.5))


def distinctive_terms(
    counts: Counter[str],
    total: int,
    df: dict[str, int],
    *,
    indexed_own: Callable[[str], bool] = lambda _term: True,
    limit: int = TOP_TERMS,
) -> list[tuple[str, float]]:
    """The article's top terms by (1 + log tf) x idf, with their idf.

    indexed_own(term) says whether the article's own indexed (saved) text
    holds the term, so that it is not counted as another story using it. A
    term no other story uses cannot find anything; one in more than half of a
    sizeable library finds everything; neither is kept.
    """
    scored = []
    for term, tf in counts.items():
        n = df.get(term, 0)
        others = n - 1 if indexed_own(term) else n
        if others < 1 or (total > MIN_LIBRARY_FOR_COMMON and n > total / 2):
            continue
        weight = idf(n, total)
        scored.append(((1.0 + math.log(tf)) * weight, term, weight, n))
    scored.sort(key=lambda s: (-s[0], s[1]))
    # Ranking costs time for every story that matches any term, so the terms
    # together may match at most MATCH_BUDGET stories; a frequent term that
    # would overrun it gives way to the next rarer one.
    chosen, budget = [], MATCH_BUDGET
    for _, term, weight, n in scored:
        if n <= budget:
            chosen.append((term, weight))
            budget -= n
            if len(chosen) == limit:
                break
    return chosen
