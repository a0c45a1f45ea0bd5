"""What an export did: each story written, left out or failed (with every reason), files and time."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.export.spill import SpillList
from newsdesk.text import counted


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
    failed: SpillList[ArticleOutcome] = field(default_factory=outcomes)
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
        return not self.failed

    def summary(self) -> str:
        """Totals for a terminal or a dialog; the failures are in problem_lines()."""
        lines = [
            f"Exported {counted(len(self.written), 'article')} to {self.out_dir} in "
            f"{self.seconds:.2f} s ({counted(len(self.changed_files), 'file')} written, "
            f"{self.reused_files:,} unchanged)."
        ]
        if self.skipped:
            n = len(self.skipped)
            lines.append(
                f"Left out {counted(n, 'article')} that {'is' if n == 1 else 'are'} not public."
            )
        if self.failed:
            n = len(self.failed)
            lines.append(
                f"{counted(n, 'article')} {'was' if n == 1 else 'were'} NOT exported "
                "because of problems."
            )
        return "\n".join(lines)

    def problem_lines(self) -> list[str]:
        """Each article that was not exported, with every reason, then any warnings."""
        lines: list[str] = []
        for f in self.failed:
            lines.append(f"{f.slug}: not exported")
            lines += [f"  - {r}" for r in f.reasons]
        lines += [f"warning: {w}" for w in self.warnings]
        return lines
