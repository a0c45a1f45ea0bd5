"""What an export did: each story written, left out or failed (with every reason), files and time."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.export.spill import SpillList
from newsdesk.text import counted

# Stories named one by one in the problem lines; past these, a count ("and 1,234 more").
NAMED = 100


@dataclass
class ArticleOutcome:
    """One article in the report: where it was written, or every reason it was not."""

    slug: str
    headline: str
    reasons: list[str] = field(default_factory=list)
    path: str = ""  # the page below the site root, for written articles


def _encode(o: ArticleOutcome) -> str:
    return json.dumps([o.slug, o.headline, o.reasons, o.path], ensure_ascii=False)


def _decode(text: str) -> ArticleOutcome:
    slug, headline, reasons, path = json.loads(text)
    return ArticleOutcome(slug, headline, reasons, path)


def outcomes() -> SpillList[ArticleOutcome]:
    """A list of articles for the report, held on disk past its first thousand (export/spill.py):
    a site's every story written is the report's largest part."""
    return SpillList(encode=_encode, decode=_decode)


@dataclass
class ExportReport:
    """What an export did. `ok` is False when an article that should be published was not."""

    out_dir: Path
    # Lists (SpillList: read like lists, held on disk past a thousand items), in the order made.
    written: SpillList[ArticleOutcome] = field(default_factory=outcomes)
    skipped: SpillList[ArticleOutcome] = field(default_factory=outcomes)
    # Every public story that is not on the site, with why: those this export refused, then
    # (an incremental export) those an earlier export held back that this one did not check
    # again, named from the folder's record (export/held.py).
    failed: SpillList[ArticleOutcome] = field(default_factory=outcomes)
    failed_more: int = 0  # held back too, but only counted (past NAMED of them)
    changed_files: SpillList[str] = field(default_factory=SpillList)  # by path
    reused_files: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    mode: str = "full"  # or "incremental", or "full (why the state could not be used)"
    rendered_pages: int = -1  # article pages rendered by an incremental export
    # listings, feeds, sitemaps made
    rendered_listings: SpillList[str] = field(default_factory=SpillList)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.failed_more

    @property
    def held_back(self) -> int:
        """How many public stories are not on the site."""
        return len(self.failed) + self.failed_more

    def summary(self) -> str:
        """Totals for a terminal or a dialog; the failures are in problem_lines()."""
        files = (
            f"{counted(len(self.changed_files), 'file')} written, {self.reused_files:,} unchanged"
        )
        if self.mode == "incremental" and not self.written:
            # Not "Exported 0 articles": the site holds its stories, none needed writing again.
            lines = [
                f"The site at {self.out_dir} is up to date: no file needed writing "
                f"({self.seconds:.2f} s)."
                if not self.changed_files
                else f"Updated the site at {self.out_dir} in {self.seconds:.2f} s: no article "
                f"page changed ({files})."
            ]
        else:
            lines = [
                f"Exported {counted(len(self.written), 'article')} to {self.out_dir} in "
                f"{self.seconds:.2f} s ({files})."
            ]
        if self.skipped:
            n = len(self.skipped)
            lines.append(
                f"Left out {counted(n, 'article')} that {'is' if n == 1 else 'are'} not public."
            )
        if self.held_back:
            n = self.held_back
            lines.append(
                f"{counted(n, 'article')} {'was' if n == 1 else 'were'} NOT exported "
                "because of problems."
            )
        return "\n".join(lines)

    def problem_lines(self) -> list[str]:
        """Each article that was not exported, with every reason (the first NAMED of them, then
        how many more), then any warnings."""
        lines: list[str] = []
        for n, f in enumerate(self.failed):
            if n == NAMED:
                break
            lines.append(f"{f.slug}: not exported")
            lines += [f"  - {r}" for r in f.reasons]
        more = self.held_back - min(len(self.failed), NAMED)
        if more > 0:
            lines.append(
                f"… and {counted(more, 'more article')} not exported: fix those above and "
                "export again to see the next ones."
            )
        lines += [f"warning: {w}" for w in self.warnings]
        return lines
