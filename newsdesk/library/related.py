"""Related stories: suggestions ranked from shared tags, distinctive terms, section and recency; integrity problems."""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from newsdesk.library import related_pg, search
from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.library import Library
from newsdesk.library.models import Article, ArticleTag, Figure, Image, RelatedStory, Tag
from newsdesk.render.text import plain_text

VOCAB_TABLE = "articles_fts_vocab"

# How much each kind of evidence weighs. A shared tag was chosen by an editor,
# so it counts most; shared distinctive words are strong when several agree;
# section and recency only break ties between otherwise similar stories.
TAG_WEIGHT = 3.0
TERMS_WEIGHT = 4.0
SECTION_WEIGHT = 0.75
RECENCY_WEIGHT = 1.0
RECENCY_HALF_LIFE_DAYS = 45.0
RECENT_DAYS = 14

TOP_TERMS = 12  # the article's most distinctive terms, OR-ed into one ranked query
MATCH_BUDGET = 3_000  # stories the OR-ed terms may match in all (ranking each costs ~2 us)
TF_SHORTLIST = 64  # terms looked up in the vocabulary, picked by frequency first
CANDIDATES = 120  # how many ranked candidates each source contributes
PER_TAG = 200  # stories each of the article's tags brings, most recently tagged first
# Below this many stories, "in more than half of them" is not yet a sign of a
# word that means nothing (three stories about one ferry are half of six).
MIN_LIBRARY_FOR_COMMON = 50
REASON_ITEMS = 4  # names listed in one reason ("shares terms: a, b, c, d")

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


@dataclass(slots=True)
class Suggestion:
    """One suggested related story, with the score it earned and why."""

    article_id: int
    slug: str
    headline: str
    section: str
    published_at: datetime | None
    score: float
    reasons: list[str] = field(default_factory=list)


def tokens(text_: str) -> list[str]:
    """Words as the full-text index sees them: lower case, accents removed, no underscores."""
    folded = unicodedata.normalize("NFKD", text_.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _TOKEN.findall(folded)


def _is_term(word: str) -> bool:
    return len(word) >= 3 and not word.isdigit() and word not in STOPWORDS


def term_frequencies(headline: str, dek: str, body: str) -> Counter[str]:
    """How often each candidate term occurs; words in the headline and dek count extra."""
    counts: Counter[str] = Counter()
    for weight, part in ((3, headline), (2, dek), (1, plain_text(_TARGETS.sub(" ", body)))):
        for word in tokens(part):
            if _is_term(word):
                counts[word] += weight
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

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_db: dict[str, tuple[float, int, dict[str, int]]] = {}

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

    def tag_counts(self, library: Library, conn: Connection, tag_ids: list[int]) -> dict[int, int]:
        """How many stories carry each of these tags (kept as briefly as term counts)."""
        key = f"{library.db_path}#tags"
        now = time.monotonic()
        with self._lock:
            entry = self._by_db.get(key)
            if entry is None or now - entry[0] > self.TTL_SECONDS:
                entry = (now, 0, {})
            born, _, known = entry
            answer = {t: known[str(t)] for t in tag_ids if str(t) in known}
        wanted = [t for t in tag_ids if t not in answer]
        if wanted:
            stmt = text(
                "SELECT tag_id, count(*) FROM article_tags WHERE tag_id IN :tags GROUP BY tag_id"
            ).bindparams(bindparam("tags", expanding=True))
            answer.update({t: 0 for t in wanted})
            answer.update(dict(conn.execute(stmt, {"tags": wanted}).all()))
            with self._lock:
                if len(known) > self.MAX_TERMS:
                    known = {}
                known.update({str(t): answer[t] for t in wanted})
                self._by_db[key] = (born, 0, known)
        return answer

    def forget(self, library: Library) -> None:
        with self._lock:
            self._by_db.pop(str(library.db_path), None)
            self._by_db.pop(f"{library.db_path}#tags", None)


_df_cache = _DfCache()


def forget_statistics(library: Library) -> None:
    """Drop the counts kept in memory, as a fresh process starts; the persisted snapshot stays."""
    _df_cache.forget(library)


def _vocab_ready(library: Library) -> bool:
    """The vocabulary table exists; made here (with the snapshot's) if the index came later."""
    if library.engine.dialect.name == "postgresql":
        return True  # counted in the search column's index (related_pg.py)
    if not library.has_fts:
        return False
    with library.engine.connect() as conn:
        present = {
            r[0]
            for r in conn.execute(
                text("SELECT name FROM sqlite_master WHERE name IN (:v, :s)"),
                {"v": VOCAB_TABLE, "s": STATS_TABLE},
            )
        }
    if len(present) == 2:
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


# ---- suggestions -------------------------------------------------------------
@dataclass(slots=True)
class _Source:
    """The article suggestions are made for, as plain values."""

    id: int
    headline: str
    dek: str
    body: str
    section: str
    tag_ids: dict[int, str]  # id -> name
    picked: set[int]


@dataclass(slots=True)
class _Candidate:
    id: int
    tag_ids: set[int] = field(default_factory=set)
    fts_score: float = 0.0  # 0..1, relative to the best full-text match


def _load_source(conn: Connection, article_id: int) -> _Source:
    row = conn.execute(
        select(Article.id, Article.headline, Article.dek, Article.body, Article.section).where(
            Article.id == article_id
        )
    ).first()
    if row is None:
        raise NotFound(f"Article {article_id} is no longer in the library.")
    tags = dict(
        conn.execute(
            select(Tag.id, Tag.name)
            .join(ArticleTag, ArticleTag.tag_id == Tag.id)
            .where(ArticleTag.article_id == article_id)
        ).all()
    )
    picked = {
        r[0]
        for r in conn.execute(
            text(
                "SELECT target_id FROM related_stories "
                "WHERE article_id = :a AND target_id IS NOT NULL"
            ),
            {"a": article_id},
        )
    }
    return _Source(row.id, row.headline, row.dek, row.body, row.section, tags, picked)


def _tag_candidates(
    library: Library, conn: Connection, source: _Source, total: int
) -> tuple[dict[int, _Candidate], dict[int, float]]:
    """Stories sharing the article's tags, newest first per tag, and each tag's weight.

    A tag shared by few stories weighs more than one on thousands. Each tag
    brings at most its PER_TAG most recently tagged stories: older sharers of
    a busy tag can still come in through the full-text query.
    """
    if not source.tag_ids:
        return {}, {}
    tag_list = list(source.tag_ids)
    tag_df = _df_cache.tag_counts(library, conn, tag_list)
    weights: dict[int, float] = {}
    log_total = math.log(max(total, 2))
    for tag_id in tag_list:
        n = max(tag_df.get(tag_id, 1), 1)
        specificity = min(1.0, max(0.0, 1.0 - math.log(n) / log_total))
        weights[tag_id] = TAG_WEIGHT * (0.5 + 0.5 * specificity)
    # Links are rewritten whenever an article's tags are saved, so the newest
    # rowids of a tag are its most recently tagged stories; the tag_id index
    # hands them over in that order without sorting.
    parts = [
        f"SELECT * FROM (SELECT article_id, tag_id FROM article_tags WHERE tag_id = {int(t)} "
        f"ORDER BY rowid DESC LIMIT {PER_TAG})"
        for t in tag_list
    ]
    sql = " UNION ALL ".join(parts)
    if conn.dialect.name == "postgresql":
        sql = related_pg.tag_sharers_sql(tag_list, PER_TAG)
    found: dict[int, _Candidate] = {}
    for aid, tid in conn.exec_driver_sql(sql):
        if aid != source.id:
            found.setdefault(aid, _Candidate(aid)).tag_ids.add(tid)
    if len(found) > CANDIDATES:
        # Keep those sharing the weightiest tags; newer ids break ties (newer stories).
        ranked = sorted(found.values(), key=lambda c: (-sum(weights[t] for t in c.tag_ids), -c.id))
        found = {c.id: c for c in ranked[:CANDIDATES]}
    return found, weights


def _match_expression(terms: Sequence[str]) -> str:
    # Tokens hold only letters and digits, so quoting them is enough to keep
    # FTS5 from reading any of them as an operator.
    return " OR ".join(f'"{t}"' for t in terms)


def _fts_candidates(conn: Connection, source: _Source, terms: Sequence[str]) -> dict[int, float]:
    """One ranked full-text query OR-ing the distinctive terms: id -> relevance in (0, 1]."""
    if conn.dialect.name == "postgresql":
        return related_pg.ranked_candidates(conn, source.id, terms, CANDIDATES)
    if not terms:
        return {}
    rows = conn.execute(
        text(
            f"SELECT rowid, rank FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH :m "
            "ORDER BY rank LIMIT :n"
        ),
        {"m": _match_expression(terms), "n": CANDIDATES + 1},
    ).all()
    ranked = [(rid, -rank) for rid, rank in rows if rid != source.id]
    if not ranked:
        return {}
    best = max(score for _, score in ranked) or 1.0
    return {rid: max(score, 0.0) / best for rid, score in ranked}


def _terms_shared(
    conn: Connection, ids: Sequence[int], terms: Sequence[str]
) -> dict[int, list[str]]:
    """Which of the terms each of these stories contains (for the reasons shown)."""
    if conn.dialect.name == "postgresql":
        return related_pg.terms_shared(conn, ids, terms)
    if not ids or not terms:
        return {}
    id_list = ",".join(str(int(i)) for i in ids)
    parts = [
        f"SELECT {n}, rowid FROM {search.FTS_TABLE} "
        f"WHERE {search.FTS_TABLE} MATCH :t{n} AND +rowid IN ({id_list})"
        for n in range(len(terms))
    ]
    # "+rowid" keeps SQLite from running one MATCH per listed id: walking each
    # distinctive term's short posting list once is much cheaper.
    params = {f"t{n}": f'"{term}"' for n, term in enumerate(terms)}
    shared: dict[int, list[int]] = {}
    for n, rid in conn.execute(text(" UNION ALL ".join(parts)), params):
        shared.setdefault(rid, []).append(n)
    return {rid: [terms[n] for n in sorted(ns)] for rid, ns in shared.items()}


def _scan_terms_shared(
    conn: Connection, ids: Sequence[int], terms: Sequence[str]
) -> dict[int, list[str]]:
    """The same, without a full-text index: read the stories' text and look."""
    if not ids or not terms:
        return {}
    rows = conn.execute(
        select(Article.id, Article.headline, Article.dek, Article.body).where(Article.id.in_(ids))
    )
    out: dict[int, list[str]] = {}
    for rid, headline, dek, body in rows:
        words = set(tokens(f"{headline} {dek} {body}"))
        hit = [t for t in terms if t in words]
        if hit:
            out[rid] = hit
    return out


def _scan_candidates(
    conn: Connection, source: _Source, terms: Sequence[str], *, include_unpublished: bool
) -> dict[int, float]:
    """Without FTS5: newest stories whose headline or dek mentions a frequent term."""
    if not terms:
        return {}
    clauses = []
    for term in terms[:6]:
        like = f"%{term}%"
        clauses += [Article.headline.ilike(like), Article.dek.ilike(like)]
    stmt = select(Article.id).where(or_(*clauses), Article.id != source.id)
    if not include_unpublished:
        stmt = stmt.where(Article.status == "published")
    stmt = stmt.order_by(Article.updated_at.desc()).limit(CANDIDATES)
    return {r[0]: 0.0 for r in conn.execute(stmt)}


def _fill_recent(
    conn: Connection, source: _Source, exclude: set[int], want: int, *, include_unpublished: bool
) -> list[int]:
    """Recent stories, the article's section first, for when too few share anything."""
    out: list[int] = []
    for same_section in (True, False):
        if len(out) >= want:
            break
        stmt = select(Article.id).where(Article.id.not_in(exclude | set(out) | {source.id}))
        if not include_unpublished:
            stmt = stmt.where(Article.status == "published")
        if same_section:
            if not source.section:
                continue
            stmt = stmt.where(Article.section == source.section)
        stmt = stmt.order_by(Article.published_at.desc().nulls_last(), Article.id.desc()).limit(
            want - len(out)
        )
        out += [r[0] for r in conn.execute(stmt)]
    return out


def _article_terms(
    library: Library,
    conn: Connection,
    source: _Source,
    use_fts: bool,
    *,
    headline: str | None,
    dek: str | None,
    body: str | None,
) -> tuple[int, list[tuple[str, float]]]:
    """The library size and the article's distinctive terms with their idf.

    Applies the edited text (if any) to source as a side effect.
    """
    edited = headline is not None or dek is not None or body is not None
    saved_text = f"{source.headline} {source.dek} {source.body}" if edited else ""
    if headline is not None:
        source.headline = headline
    if dek is not None:
        source.dek = dek
    if body is not None:
        source.body = body
    counts = term_frequencies(source.headline, source.dek, source.body)
    shortlist = [t for t, _ in counts.most_common(TF_SHORTLIST)]
    if not use_fts:
        total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        # No statistics: frequent words of the story stand in for distinctive ones.
        return total, [(t, 1.0) for t in shortlist[:TOP_TERMS]]
    total, df = _df_cache.lookup(library, conn, shortlist)
    if edited:
        # The index holds the saved text, not the one being edited.
        own = set(tokens(plain_text(_TARGETS.sub(" ", saved_text))))
        return total, distinctive_terms(counts, total, df, indexed_own=own.__contains__)
    return total, distinctive_terms(counts, total, df)


def top_terms(
    library: Library,
    article_id: int,
    *,
    headline: str | None = None,
    dek: str | None = None,
    body: str | None = None,
) -> list[str]:
    """The distinctive terms suggestions would be ranked by; cheap once their counts are cached.

    The picker compares these before and after an edit: while they stay the
    same, the suggestions would too, and are not recomputed.
    """
    use_fts = _vocab_ready(library)
    with library.engine.connect() as conn:
        source = _load_source(conn, article_id)
        _, top = _article_terms(
            library, conn, source, use_fts, headline=headline, dek=dek, body=body
        )
    return [t for t, _ in top]


def suggest_related(
    library: Library,
    article_id: int,
    *,
    limit: int = 10,
    include_unpublished: bool = False,
    headline: str | None = None,
    dek: str | None = None,
    body: str | None = None,
    exclude: Iterable[int] = (),
    now: datetime | None = None,
) -> list[Suggestion]:
    """Stories to suggest as related to this article, best first.

    headline, dek and body, when given, are the text as it is being edited
    (not yet saved); otherwise the saved text is used. Never suggests the
    article itself or a story it already lists; only published stories past
    any embargo unless include_unpublished. exclude names more stories to
    leave out (the picker's picks that are still being saved).
    """
    now = now or datetime.now(UTC)
    use_fts = _vocab_ready(library)
    with library.engine.connect() as conn:
        source = _load_source(conn, article_id)
        source.picked |= set(exclude)
        total, top = _article_terms(
            library, conn, source, use_fts, headline=headline, dek=dek, body=body
        )
        terms = [t for t, _ in top]
        term_idf = dict(top)

        candidates, tag_weights = _tag_candidates(library, conn, source, total)
        if use_fts:
            relevance = _fts_candidates(conn, source, terms)
        else:
            relevance = _scan_candidates(
                conn, source, terms, include_unpublished=include_unpublished
            )
        for rid, rel in relevance.items():
            candidates.setdefault(rid, _Candidate(rid)).fts_score = rel
        for rid in source.picked | {source.id}:
            candidates.pop(rid, None)

        facts = _candidate_facts(conn, list(candidates), source, now)
        if not use_fts and terms:
            # Relevance from how many of the story's frequent words each one shares.
            shared_scan = _scan_terms_shared(conn, list(candidates), terms)
            for rid, hit in shared_scan.items():
                candidates[rid].fts_score = len(hit) / len(terms)

        scored: list[tuple[float, int]] = []
        for rid, fact in facts.items():
            if include_unpublished or fact.public:
                candidates[rid].tag_ids = fact.tag_ids
                scored.append((_score(candidates[rid], fact, source, tag_weights), rid))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        chosen = scored[:limit]

        if len(chosen) < limit:
            extra = _fill_recent(
                conn,
                source,
                set(candidates) | source.picked,
                limit - len(chosen),
                include_unpublished=include_unpublished,
            )
            for rid, fact in _candidate_facts(conn, extra, source, now).items():
                if include_unpublished or fact.public:
                    facts[rid] = fact
                    candidates[rid] = _Candidate(rid, tag_ids=fact.tag_ids)
                    chosen.append((_score(candidates[rid], fact, source, tag_weights), rid))
            chosen.sort(key=lambda s: (-s[0], -s[1]))

        ids = [rid for _, rid in chosen]
        if use_fts:
            shared_terms = _terms_shared(conn, ids, terms)
        else:
            shared_terms = _scan_terms_shared(conn, ids, terms)
        shown = {
            r.id: r
            for r in conn.execute(
                select(Article.id, Article.slug, Article.headline, Article.published_at).where(
                    Article.id.in_(ids)
                )
            )
        }

    suggestions = []
    for score, rid in chosen:
        row, fact = shown[rid], facts[rid]
        hit_terms = sorted(shared_terms.get(rid, []), key=lambda t: -term_idf.get(t, 0.0))
        suggestions.append(
            Suggestion(
                article_id=rid,
                slug=row.slug,
                headline=row.headline,
                section=fact.section,
                published_at=row.published_at,
                score=round(score, 3),
                reasons=_reasons(candidates[rid], fact, source, hit_terms),
            )
        )
    return suggestions


@dataclass(slots=True)
class _Facts:
    """What scoring needs to know about a candidate, computed by SQLite."""

    section: str
    public: bool
    age_days: float
    tag_ids: set[int]


def _sqlite_time(when: datetime) -> str:
    # The form SQLAlchemy stores datetimes in on SQLite (UTC), which julianday() reads.
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _candidate_facts(
    conn: Connection, ids: Sequence[int], source: _Source, now: datetime
) -> dict[int, _Facts]:
    """Section, public or not, age and shared tags of each candidate, in one query.

    Worked out by SQLite rather than by loading rows as objects: a few hundred
    candidates go through here for every suggestion.
    """
    if not ids:
        return {}
    if conn.dialect.name == "postgresql":
        return {
            rid: _Facts(
                section=section,
                public=public,
                age_days=max(0.0, age),
                tag_ids={int(t) for t in tags.split(",")} if tags else set(),
            )
            for rid, section, public, age, tags in related_pg.candidate_rows(
                conn, ids, list(source.tag_ids), now
            )
        }
    id_list = ",".join(str(int(i)) for i in ids)
    tag_list = ",".join(str(int(t)) for t in source.tag_ids) or "NULL"
    sql = (
        "SELECT id, section, "
        "status = 'published' AND (embargo_until IS NULL OR julianday(embargo_until) <= julianday(?)), "
        "julianday(?) - julianday(coalesce(published_at, updated_at)), "
        "(SELECT group_concat(tag_id) FROM article_tags t "
        f" WHERE t.article_id = articles.id AND t.tag_id IN ({tag_list})) "
        f"FROM articles WHERE id IN ({id_list})"
    )
    stamp = _sqlite_time(now)
    out = {}
    for rid, section, public, age, tags in conn.exec_driver_sql(sql, (stamp, stamp)):
        out[rid] = _Facts(
            section=section,
            public=bool(public),
            age_days=max(0.0, age) if age is not None else math.inf,
            tag_ids={int(t) for t in tags.split(",")} if tags else set(),
        )
    return out


def _score(cand: _Candidate, fact: _Facts, source: _Source, tag_weights: dict[int, float]) -> float:
    score = sum(tag_weights.get(t, 0.0) for t in cand.tag_ids)
    score += TERMS_WEIGHT * cand.fts_score
    if source.section and fact.section == source.section:
        score += SECTION_WEIGHT
    if math.isfinite(fact.age_days):
        score += RECENCY_WEIGHT * 0.5 ** (fact.age_days / RECENCY_HALF_LIFE_DAYS)
    return score


def _listing(names: Sequence[str]) -> str:
    shown = list(names[:REASON_ITEMS])
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _reasons(
    cand: _Candidate, fact: _Facts, source: _Source, hit_terms: Sequence[str]
) -> list[str]:
    reasons = []
    tag_names = [source.tag_ids[t] for t in source.tag_ids if t in cand.tag_ids]
    if tag_names:
        reasons.append(f"shares {'tags' if len(tag_names) > 1 else 'tag'}: {_listing(tag_names)}")
    if hit_terms:
        reasons.append(f"shares {'terms' if len(hit_terms) > 1 else 'term'}: {_listing(hit_terms)}")
    if source.section and fact.section == source.section:
        reasons.append(f"same section: {source.section}")
    if fact.age_days <= RECENT_DAYS:
        reasons.append("recent")
    return reasons


# ---- cards for the picker --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoryCard:
    """What the picker shows for one story: text, dates and THAT story's own hero picture."""

    article_id: int
    slug: str
    headline: str
    dek: str
    section: str
    status: str
    published_at: datetime | None
    updated_at: datetime | None
    embargo_until: datetime | None
    hero_sha256: str = ""  # "" when the story has no hero picture
    hero_filename: str = ""
    hero_alt: str = ""

    @property
    def date(self) -> datetime | None:
        return self.published_at or self.updated_at


def story_cards(library: Library, ids: Iterable[int]) -> dict[int, StoryCard]:
    """Cards for these stories (missing ones are left out), in two short queries."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        return {}
    with library.engine.connect() as conn:
        rows = conn.execute(
            select(
                Article.id,
                Article.slug,
                Article.headline,
                Article.dek,
                Article.section,
                Article.status,
                Article.published_at,
                Article.updated_at,
                Article.embargo_until,
            ).where(Article.id.in_(wanted))
        ).all()
        heroes = {
            r[0]: r[1:]
            for r in conn.execute(
                select(Figure.article_id, Image.sha256, Image.ext, Figure.alt_text)
                .join(Image, Image.id == Figure.image_id)
                .where(Figure.article_id.in_(wanted), Figure.role == "hero")
            )
        }
    cards = {}
    for r in rows:
        sha, ext, alt = heroes.get(r.id, ("", "", ""))
        cards[r.id] = StoryCard(
            article_id=r.id,
            slug=r.slug,
            headline=r.headline,
            dek=r.dek,
            section=r.section,
            status=r.status,
            published_at=r.published_at,
            updated_at=r.updated_at,
            embargo_until=r.embargo_until,
            hero_sha256=sha,
            hero_filename=f"{sha}{ext}" if sha else "",
            hero_alt=alt,
        )
    return cards


# ---- presenting -------------------------------------------------------------
def format_suggestions(suggestions: Sequence[Suggestion]) -> str:
    """Suggestions as the command line prints them, best first."""
    if not suggestions:
        return "No related stories to suggest."
    lines = []
    for n, s in enumerate(suggestions, 1):
        date = s.published_at.date().isoformat() if s.published_at else "unpublished"
        lines.append(f"{n:>2}. {s.headline}  [{s.slug}]  score {s.score:.2f}")
        meta = " · ".join(part for part in (s.section, date) if part)
        lines.append(f"    {meta}")
        if s.reasons:
            lines.append(f"    {'; '.join(s.reasons)}")
    return "\n".join(lines)


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    """`dataclasses.asdict` with the date as ISO 8601, ready for json.dumps."""
    data = asdict(suggestion)
    data["published_at"] = suggestion.published_at.isoformat() if suggestion.published_at else None
    return data


# ---- integrity ----------------------------------------------------------------
def related_problem(link: RelatedStory, *, now: datetime | None = None) -> str:
    """What is wrong with one related story of an article ("" when nothing is)."""
    now = now or datetime.now(UTC)
    target = link.target
    name = (target.headline if target is not None else link.target_headline) or "(untitled)"
    if target is None or link.target_id is None:
        return f"Related story '{name}' was deleted."
    if target.status != "published":
        return f"Related story '{name}' is not published (it is {target.status})."
    if target.embargo_until is not None and target.embargo_until > now:
        when = target.embargo_until.strftime("%Y-%m-%d %H:%M UTC")
        return f"Related story '{name}' is embargoed until {when}."
    return ""


def related_problems(
    library: Library, article: Article, *, now: datetime | None = None
) -> list[str]:
    """Preflight: related stories that were deleted, are not published, or are still embargoed.

    `article` must be loaded with its related stories (as `Library.get_article` does).
    """
    now = now or datetime.now(UTC)
    return [p for link in article.related if (p := related_problem(link, now=now))]


__all__ = [
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
    "top_terms",
    "wait_for_term_stats",
]
