"""The command line's trash and sync commands: delete, restore, trash, sync, conflicts, resolve."""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def add_parsers(sub) -> None:
    s = sub.add_parser("delete", help="move a story to the trash (restore takes it back)")
    s.add_argument("slug")
    s = sub.add_parser("restore", help="take a story out of the trash")
    s.add_argument("slug")
    s = sub.add_parser("trash", help="list the trash, or empty it with --empty")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument(
        "--empty", action="store_true", help="remove the trashed stories' content for good"
    )
    s = sub.add_parser("sync", help="sync with the newsroom's shared library")
    s.add_argument("url", nargs="?", metavar="URL", help="the shared library (first time only)")
    s.add_argument("--batch", type=int, default=200, help=argparse.SUPPRESS)  # stories per step
    s = sub.add_parser("conflicts", help="list what sync could not merge")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = sub.add_parser("resolve", help="settle a sync conflict")
    s.add_argument("slug", nargs="?")
    s.add_argument("field", nargs="?")
    s.add_argument("--id", type=int, dest="conflict_id", metavar="N")
    how = s.add_mutually_exclusive_group(required=True)
    how.add_argument("--mine", action="store_true", help="keep this laptop's value")
    how.add_argument("--theirs", action="store_true", help="take the shared library's value")
    how.add_argument("--value", metavar="TEXT", help="use this value instead")
    s.add_argument(
        "--override-reason",
        default="",
        metavar="TEXT",
        help="settle a status conflict to published even though preflight fails; "
        "the reason is kept in the story's history",
    )


def _error(message: str):
    from newsdesk.cli import CommandError

    return CommandError(message)


def cmd_delete(args) -> int:
    from newsdesk.cli import _article, _open

    with _open(args) as lib:
        article = _article(lib, args.slug)
        if article.deleted_at is not None:
            print(f"{article.slug} is already in the trash.")
            return EXIT_OK
        lib.trash_article(article.id)
    print(f"Moved {article.slug} to the trash; `newsdesk restore {article.slug}` takes it back.")
    return EXIT_OK


def cmd_restore(args) -> int:
    from newsdesk.cli import _article, _open
    from newsdesk.library import LibraryError

    with _open(args) as lib:
        article = _article(lib, args.slug)
        if article.deleted_at is None:
            print(f"{article.slug} is not in the trash.")
            return EXIT_OK
        try:
            lib.restore_article(article.id)
        except LibraryError as exc:
            raise _error(str(exc)) from None
    print(f"Restored {article.slug}.")
    return EXIT_OK


def cmd_trash(args) -> int:
    from newsdesk.cli import _iso, _open

    with _open(args) as lib:
        if args.empty:
            n = lib.empty_trash()
            print(f"Emptied the trash: {n} stor{'y' if n == 1 else 'ies'} removed for good.")
            left = len(lib.trashed_articles())  # on the shared library: other people's stories
            if left:
                print(
                    f"{left} other stor{'y stays' if left == 1 else 'ies stay'} in the trash: "
                    "only their owner or an editor may empty them."
                )
            return EXIT_OK
        rows = lib.trashed_articles()
    if args.json:
        data = [
            {
                "uid": a.uid,
                "slug": a.slug,
                "headline": a.headline,
                "deleted": _iso(a.deleted_at),
                "deleted_by": a.deleted_by,
            }
            for a in rows
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif not rows:
        print("The trash is empty.")
    else:
        for a in rows:
            print(f"{a.deleted_at.astimezone():%Y-%m-%d %H:%M}  {a.slug}  {a.headline}")
    return EXIT_OK


def _laptop(args):
    from newsdesk.cli import _open

    if args.library and "://" in args.library:
        raise _error("Sync runs on a laptop's library folder; give --library a folder.")
    return _open(args)


def cmd_sync(args) -> int:
    from newsdesk.sync import SyncError, sync

    with _laptop(args) as lib:
        try:
            report = sync(lib, args.url, batch=args.batch)
        except SyncError as exc:
            raise _error(str(exc)) from None
    print(report.summary())
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return EXIT_OK if report.clean else EXIT_PROBLEMS


def cmd_conflicts(args) -> int:
    from newsdesk.sync.conflicts import list_conflicts

    with _laptop(args) as lib:
        rows = list_conflicts(lib)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("No conflicts.")
    for r in rows:
        where = r["field"] + (f", paragraph {r['paragraph']}" if r["paragraph"] else "")
        print(f"[{r['id']}] {r['slug']}: {where}")
        print(f"    mine:   {_short(r['mine'])}")
        print(f"    theirs: {_short(r['theirs'])}")
    return EXIT_OK


def _short(value) -> str:
    text = " ".join(str(value if value is not None else "(none)").split())
    return text if len(text) <= 100 else text[:99] + "…"


def cmd_resolve(args) -> int:
    from newsdesk.library.errors import PublishRefused
    from newsdesk.preflight import settle_conflict
    from newsdesk.sync import SyncError
    from newsdesk.sync.conflicts import find_conflict

    if args.conflict_id is None and not (args.slug and args.field):
        raise _error("Name the conflict: SLUG FIELD, or --id N (see `newsdesk conflicts`).")
    if args.conflict_id is not None and args.slug:
        raise _error("Use either SLUG FIELD or --id N, not both.")
    choice = "mine" if args.mine else "theirs" if args.theirs else "value"
    with _laptop(args) as lib:
        try:
            conflict = find_conflict(
                lib, conflict_id=args.conflict_id, slug=args.slug, field=args.field
            )
            said = settle_conflict(
                lib, conflict, choice, args.value, override_reason=args.override_reason
            )
        except SyncError as exc:
            raise _error(str(exc)) from None
        except PublishRefused as exc:
            # Published only through preflight, as with `newsdesk status SLUG published`.
            slug = lib.get_article(conflict.article_uid).slug
            reasons = [p.message for p in exc.problems]
            print(
                f"newsdesk: the status conflict of {slug} was not settled to published (it "
                f"stays open): preflight found {len(reasons)} problem"
                f"{'' if len(reasons) == 1 else 's'}; fix {'it' if len(reasons) == 1 else 'them'}, "
                "or give --override-reason TEXT:",
                file=sys.stderr,
            )
            for reason in reasons:
                print(f"  - {reason}", file=sys.stderr)
            return EXIT_PROBLEMS
    print(said)
    return EXIT_OK


COMMANDS = {
    "delete": cmd_delete,
    "restore": cmd_restore,
    "trash": cmd_trash,
    "sync": cmd_sync,
    "conflicts": cmd_conflicts,
    "resolve": cmd_resolve,
}
