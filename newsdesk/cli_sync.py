"""The command line's trash and sync commands: delete, restore, trash, sync, unlink, conflicts,
resolve."""

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
    s = sub.add_parser(
        "unlink",
        help="stop syncing with the shared library; every story stays here",
        description="Forget the shared library this laptop syncs with, and the sync "
        "bookkeeping; every story and picture stays in the library, and nothing syncs until "
        "`newsdesk sync URL` links it again. While changes made here are not yet sent, or "
        "conflicts are open, unlink refuses (exit 2) unless --force: those changes would stay "
        "on this laptop only, and the conflicts would be dropped (this laptop keeps its "
        "own values).",
    )
    s.add_argument(
        "--force",
        action="store_true",
        help="unlink even with changes not yet sent or conflicts open",
    )
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


def _laptop(args, *, what: str = "Sync", write: bool = False, create: bool = False):
    from newsdesk.cli import _open

    if args.library and "://" in args.library:
        raise _error(f"{what} runs on a laptop's library folder; give --library a folder.")
    return _open(args, write=write, create=create)


def cmd_sync(args) -> int:
    from newsdesk.sync import SyncError, sync

    # The first sync, given the shared library's URL, may start the laptop's library.
    with _laptop(args, create=bool(args.url)) as lib:
        try:
            report = sync(lib, args.url, batch=args.batch)
        except SyncError as exc:
            raise _error(str(exc)) from None
    print(report.summary())
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return EXIT_OK if report.clean else EXIT_PROBLEMS


def cmd_unlink(args) -> int:
    """Unlink: 0 unlinked (or linked to nothing), 2 refused while work would be left behind."""
    from newsdesk.sync import SyncError
    from newsdesk.sync.link import unlink
    from newsdesk.sync.status import sync_status

    with _laptop(args, what="Unlink", write=True) as lib:
        status = sync_status(lib)
        if not status.linked:
            print("This library is not linked to a shared library; there is nothing to unlink.")
            return EXIT_OK
        waiting, conflicts = status.waiting, status.conflicts
        if (waiting or conflicts) and not args.force:
            raise _error(
                f"Not unlinked: {_left_behind(waiting, conflicts, 'would')}; sync first "
                "(`newsdesk sync`), or unlink anyway with --force."
            )
        try:
            said = unlink(lib)
        except SyncError as exc:
            raise _error(str(exc)) from None
    print(said)
    if waiting or conflicts:
        text = _left_behind(waiting, conflicts, "did")
        print(text[0].upper() + text[1:] + ".")
    return EXIT_OK


def _left_behind(waiting: int, conflicts: int, mood: str) -> str:
    """What unlinking leaves behind (mood 'would' before, 'did' after), as one clause."""
    parts = []
    if waiting:
        n = f"{waiting} change{'' if waiting == 1 else 's'} not yet sent"
        stay = "would stay" if mood == "would" else "stays" if waiting == 1 else "stay"
        parts.append(f"{n} {stay} on this laptop only")
    if conflicts:
        n = f"{conflicts} open conflict{'' if conflicts == 1 else 's'}"
        were = "was" if conflicts == 1 else "were"
        parts.append(f"{n} {'would be' if mood == 'would' else were} dropped")
    return " and ".join(parts)


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
    "unlink": cmd_unlink,
    "conflicts": cmd_conflicts,
    "resolve": cmd_resolve,
}
