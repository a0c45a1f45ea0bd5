"""The newsdesk command line: the same core as the editor, scriptable, with no Qt loaded.

Errors are one line on stderr and a non-zero exit status, never a traceback:
1 when a check or an export finds problems, 2 when the command cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from newsdesk.paths import resolve_library_dir

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class CommandError(Exception):
    """A command cannot run; the message is shown as it is."""


class _VersionAction(argparse.Action):
    """--version, looked up only when asked for (package metadata is slow to load)."""

    def __init__(self, option_strings, dest, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        import newsdesk

        print(f"newsdesk {newsdesk.__version__}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsdesk",
        description="A newsroom editor: write offline, keep captions and credits right, export pages.",
    )
    p.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $NEWSDESK_LIBRARY or the per-user data folder)",
    )
    p.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("import", help="import Markdown files with YAML front matter")
    s.add_argument("files", nargs="+", type=Path, metavar="FILE.md")
    s = sub.add_parser("list", help="list the library's articles, newest first")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--status", help="only articles with this status")
    s = sub.add_parser("search", help="ranked full-text search")
    s.add_argument("query")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--limit", type=int, default=20)
    s = sub.add_parser("check", help="preflight an article; exit 1 when it fails")
    s.add_argument("slug")
    s = sub.add_parser("related", help="suggested related stories for an article")
    s.add_argument("slug")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--limit", type=int, default=10)
    s = sub.add_parser("export", help="export article pages or the whole site")
    s.add_argument("slugs", nargs="*", metavar="SLUG")
    s.add_argument("--all", action="store_true", help="export the whole site")
    s.add_argument("--out", type=Path, required=True, metavar="DIR")
    s.add_argument(
        "--watch",
        action="store_true",
        help="with --all: keep running and republish after every save (Ctrl+C to stop)",
    )
    s = sub.add_parser("screenshot", help="render the main window offscreen to a PNG")
    s.add_argument("out", type=Path, metavar="OUT.png")
    return p


def _open(args):
    from newsdesk.library import Library, LibraryError

    try:
        return Library.open(resolve_library_dir(args.library))
    except LibraryError as exc:
        raise CommandError(str(exc)) from None


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def cmd_import(args) -> int:
    from newsdesk.importing import ImportProblem, import_markdown_files

    with _open(args) as lib:
        try:
            results = import_markdown_files(lib, args.files)
        except ImportProblem as exc:
            raise CommandError(str(exc)) from None
        for r in results:
            verb = "imported" if r.created else "updated"
            print(f"{verb} {r.article.slug}: {r.article.headline}")
            for w in r.warnings:
                print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK


def cmd_list(args) -> int:
    with _open(args) as lib:
        rows = lib.list_articles(status=args.status)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "uid": r.uid,
                        "slug": r.slug,
                        "headline": r.headline,
                        "status": r.status,
                        "section": r.section,
                        "updated": _iso(r.updated_at),
                        "published": _iso(r.published_at),
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for r in rows:
            # The reader's own clock: stored times are UTC, a terminal shows local time.
            print(
                f"{r.updated_at.astimezone():%Y-%m-%d %H:%M}  {r.status:<9}  {r.section or '-':<12.12}  {r.slug}  {r.headline}"
            )
    return EXIT_OK


def cmd_search(args) -> int:
    with _open(args) as lib:
        hits = lib.search(args.query, limit=args.limit, prefix=False)
        note = lib.search_note
    if note:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "slug": h.slug,
                        "headline": h.headline,
                        "section": h.section,
                        "status": h.status,
                        "published": _iso(h.published_at),
                        "snippet": h.snippet_text,
                    }
                    for h in hits
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for h in hits:
            snippet = " ".join(h.snippet.split()).replace("\x02", "[").replace("\x03", "]")
            print(f"{h.slug}  {h.headline}\n    {snippet}")
        if not hits:
            print(f"No articles match {args.query!r}.")
    return EXIT_OK


def _article(lib, slug: str):
    from newsdesk.library import NotFound

    try:
        return lib.get_article(slug)
    except NotFound as exc:
        raise CommandError(str(exc)) from None


def cmd_check(args) -> int:
    from newsdesk.library.preflight import preflight

    with _open(args) as lib:
        article = _article(lib, args.slug)
        problems = preflight(lib, article)
    if not problems:
        print(f"{article.slug}: ready to publish.")
        return EXIT_OK
    print(f"{article.slug}: {len(problems)} problem(s)")
    for p in problems:
        print(f"  - {p.message}")
    return EXIT_PROBLEMS


def cmd_related(args) -> int:
    from newsdesk.library.related import format_suggestions, suggest_related, suggestion_json

    with _open(args) as lib:
        article = _article(lib, args.slug)
        suggestions = suggest_related(lib, article.id, limit=args.limit)
    if args.json:
        print(json.dumps([suggestion_json(s) for s in suggestions], ensure_ascii=False, indent=2))
    else:
        print(
            format_suggestions(suggestions)
            if suggestions
            else f"No suggestions for {article.slug}."
        )
    return EXIT_OK


def cmd_export(args) -> int:
    if not args.all and not args.slugs:
        raise CommandError("Name the articles to export, or use --all for the whole site.")
    if args.all and args.slugs:
        raise CommandError("Use either SLUG... or --all, not both.")
    if args.watch and not args.all:
        raise CommandError("--watch republishes the whole site; use it with --all.")
    from newsdesk.export import ExportError, export_articles
    from newsdesk.export.incremental import publish

    if args.watch:
        return _watch_export(args)
    with _open(args) as lib:
        try:
            if args.all:
                # Only what changed since this folder's last export is rendered again.
                report = publish(lib, args.out)
            else:
                for slug in args.slugs:
                    _article(lib, slug)
                report = export_articles(lib, args.slugs, args.out)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
    print(report.summary())
    for line in report.problem_lines():
        print(line, file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _watch_export(args) -> int:
    """Republish after every save until Ctrl+C or SIGTERM; both end it with exit 0."""
    import signal
    import threading

    from newsdesk.export.watch import watch

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def report(r) -> None:
        if r.rendered_pages != 0 or r.changed_files:
            print(r.summary(), flush=True)
        for line in r.problem_lines():
            print(line, file=sys.stderr, flush=True)

    def error(message: str) -> None:
        print(f"newsdesk: {message}", file=sys.stderr, flush=True)

    with _open(args) as lib:
        print(f"Publishing {lib.root} to {args.out} after every save; Ctrl+C to stop.", flush=True)
        try:
            watch(lib, args.out, stop=stop, on_report=report, on_error=error)
        except KeyboardInterrupt:
            pass
    print("Stopped publishing.", flush=True)
    return EXIT_OK


def cmd_screenshot(args) -> int:
    from newsdesk.app import screenshot

    return screenshot(resolve_library_dir(args.library), args.out)


def cmd_open(args) -> int:
    from newsdesk.app import run

    return run(resolve_library_dir(args.library), sys.argv[:1])


COMMANDS = {
    None: cmd_open,
    "import": cmd_import,
    "list": cmd_list,
    "search": cmd_search,
    "check": cmd_check,
    "related": cmd_related,
    "export": cmd_export,
    "screenshot": cmd_screenshot,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CommandError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except KeyboardInterrupt:
        print("newsdesk: interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"newsdesk: {exc.strerror or exc}{where}.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
