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

from newsdesk import cli_export, cli_images, cli_originals, cli_setup, cli_status
from newsdesk.library.errors import LibraryError

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
        help="library folder, or a shared library's postgresql+psycopg://USER@HOST/DB "
        "(default: $NEWSDESK_LIBRARY or the per-user data folder)",
    )
    p.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("import", help="import Markdown files with YAML front matter")
    s.add_argument("files", nargs="+", type=Path, metavar="FILE.md")
    s.add_argument("--override-reason", default="", metavar="TEXT", help=cli_status.OVERRIDE_HELP)
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
    cli_export.add_parsers(sub)
    s = sub.add_parser("screenshot", help="render the main window offscreen to a PNG")
    s.add_argument("out", type=Path, metavar="OUT.png")
    cli_setup.add_parsers(sub)
    s = sub.add_parser(
        "spell",
        help="spell check an article or words; keep the newsroom dictionary",
        description="Check SLUG's headline, dek, body and captions (exit 1 on misspellings), "
        "or check, add or remove single words.",
    )
    s.add_argument("slug", nargs="?", metavar="SLUG")
    what = s.add_mutually_exclusive_group()
    what.add_argument("--check", nargs="+", metavar="WORD", help="check these words")
    what.add_argument("--add", nargs="+", metavar="WORD", help="add to the newsroom dictionary")
    what.add_argument("--remove", nargs="+", metavar="WORD", help="take out of it")
    what.add_argument("--list", action="store_true", help="print the newsroom dictionary")
    s.add_argument("--language", metavar="TAG", help="e.g. en-GB (default: the article's)")
    s.add_argument("--json", action="store_true", help="print JSON")
    cli_originals.add_export_parser(cli_images.add_parser(sub))
    from newsdesk import cli_publish, cli_sync

    cli_sync.add_parsers(sub)
    cli_publish.add_parsers(sub)
    cli_status.add_parsers(sub)
    return p


def _library_dir(args) -> Path:
    """--library (or NEWSDESK_LIBRARY), as an absolute folder; one sentence when it is unusable."""
    # Imported here: `--help`, `--version` and argument errors never need it (appdirs, settings).
    from newsdesk.paths import LibraryLocationError, resolve_library_dir

    try:
        return resolve_library_dir(args.library)
    except LibraryLocationError as exc:
        raise CommandError(str(exc)) from None


def _open(args, *, write: bool = False, create: bool = False):
    """The library; `write` for commands that change it (refused on a read-only library).

    Only the commands that may start a library (`create`: import, publication, a laptop's
    first sync) open a folder that holds none; the others refuse it in one sentence, so a
    mistyped --library leaves no empty library behind and reports no empty results.
    """
    from newsdesk.library import Library, LibraryError
    from newsdesk.library.errors import LibraryReadOnly

    if not create:
        library_must_exist(args)
    try:
        lib = Library.open(args.library_dir)
    except LibraryError as exc:
        raise CommandError(str(exc)) from None
    finally:
        _start_up_done()
    if write and lib.read_only:
        lib.close()
        raise CommandError(str(LibraryReadOnly(lib.root)))
    return lib


def library_must_exist(args) -> None:
    """One sentence, and nothing created, when --library names a folder holding no library."""
    from newsdesk.library.library import DB_NAME

    where = args.library_dir
    if not isinstance(where, Path) or (where.exists() and not where.is_dir()):
        return  # a shared library's URL, or a file (opening it says what is wrong)
    if not os.path.lexists(where / DB_NAME):  # anything there is opened, to say what is wrong
        raise CommandError(
            f"There is no library in {where}; check --library (or NEWSDESK_LIBRARY), "
            "then try again."
        )


def _out_dir(value: Path) -> Path:
    """--out, relative to the working directory; an empty value would mean the directory itself."""
    if not str(value).strip() or str(value) == ".":
        raise CommandError(
            "--out needs a folder for the site, such as --out site (not the current folder)."
        )
    if "\x00" in str(value):
        raise CommandError("--out contains a NUL character; give a folder for the site.")
    return Path(os.path.abspath(value.expanduser()))


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


# Room an import needs besides two copies' worth of its pictures (the media file,
# and its thumbnail and the database's write-ahead log, which grows by about a
# megabyte for the first stories of a new library): checked before anything is
# written, so a nearly full disk refuses the import instead of taking half of it.
IMPORT_HEADROOM = 2 * 1024 * 1024


def _check_room_for_import(lib, files: list[Path]) -> None:
    import shutil

    from newsdesk.front_matter import ImportProblem, parse_markdown_file

    tz_name = lib.publication().timezone
    pictures: set[Path] = set()
    needed = IMPORT_HEADROOM
    for path in files:
        try:
            parsed = parse_markdown_file(Path(path), tz_name=tz_name)
        except ImportProblem:
            continue  # left out of the import, which names it
        needed += 2 * Path(path).stat().st_size
        names = ([parsed.hero["file"]] if parsed.hero else []) + parsed.body_images
        pictures.update((parsed.path.parent / name).resolve() for name in names)
    needed += sum(2 * p.stat().st_size for p in pictures if p.is_file())
    free = shutil.disk_usage(lib.root).free
    if free < needed:
        raise CommandError(
            f"The disk holding the library has {_size(free)} free and this import needs about "
            f"{_size(needed)}; nothing was imported. Free some space and import again."
        )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n, 0) // 1024} KB"


def cmd_import(args) -> int:
    """Import the good files (each all or nothing) and name every bad one on a line of its
    own, as the window's import does: exit 1 when some were left out, 2 when none went in."""
    from newsdesk.importing import ImportProblem, import_markdown_files

    problems: list = []
    with _open(args, write=True, create=True) as lib:
        try:
            _check_room_for_import(lib, args.files)
            results = import_markdown_files(
                lib, args.files, override_reason=args.override_reason, problems=problems
            )
        except (ImportProblem, LibraryError) as exc:
            # A failure while writing: none of the good files went in either.
            raise CommandError(str(exc)) from None
        for r in results:
            verb = "imported" if r.created else "updated"
            print(f"{verb} {r.article.slug}: {r.article.headline}")
            for w in r.warnings:
                print(f"warning: {w}", file=sys.stderr)
    sys.stdout.flush()
    for problem in problems:
        print(f"newsdesk: {problem.message}", file=sys.stderr)
    if problems and not results:
        return EXIT_ERROR  # nothing could be imported
    # `status: published` that preflight refused: imported, not published (exit 1).
    for r in results:
        if r.refused:
            cli_status.print_refusal(r.article.slug, r.article.status, r.refused)
        if r.publish_error:
            print(
                f"newsdesk: {r.article.slug} was not published (it stays {r.article.status}): "
                f"{r.publish_error}",
                file=sys.stderr,
            )
    problems_left = problems or any(r.refused or r.publish_error for r in results)
    return EXIT_PROBLEMS if problems_left else EXIT_OK


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
    from newsdesk.preflight import preflight

    with _open(args) as lib:
        article = _article(lib, args.slug)
        problems = preflight(lib, article)
    errors = [p for p in problems if p.is_error]
    # Warnings go to stderr like every other warning, so stdout stays the verdict.
    if not errors:
        print(f"{article.slug}: ready to publish.")
    else:
        print(f"{article.slug}: {len(errors)} problem(s)")
        for p in errors:
            print(f"  - {p.message}")
    sys.stdout.flush()
    for p in problems:
        if not p.is_error:
            print(f"warning: {p.message}", file=sys.stderr)
    return EXIT_PROBLEMS if errors else EXIT_OK


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


def cmd_screenshot(args) -> int:
    from newsdesk.app import screenshot

    return screenshot(args.library_dir, args.out)


def cmd_open(args) -> int:
    from newsdesk.app import run

    # The editor opens a shared library's URL too (what cannot work there is disabled).
    return run(args.library_dir, sys.argv[:1])


def cmd_spell(args) -> int:
    from newsdesk.spelling.report import SpellCommandError, run_spell_command

    with _open(args) as lib:
        try:
            output, code = run_spell_command(lib, args)
        except SpellCommandError as exc:
            raise CommandError(str(exc)) from None
    if output:
        print(output)
    return code


def _images(args) -> int:
    if args.images_command == "export":
        return cli_originals.cmd_images_export(args, _open, _out_dir, CommandError)
    return cli_images.cmd_images(args, _open, CommandError)


COMMANDS = {
    None: cmd_open,
    "import": cmd_import,
    "list": cmd_list,
    "search": cmd_search,
    "check": cmd_check,
    "related": cmd_related,
    "screenshot": cmd_screenshot,
    "spell": cmd_spell,
    "images": _images,
}


class Terminated(Exception):  # noqa: N818 (named for the signal, like KeyboardInterrupt)
    """SIGTERM reached a command: it unwinds like Ctrl+C, through every transaction and pool."""


def _stop_cleanly_on_sigterm():
    """Turn SIGTERM into an exception, so open transactions roll back and worker pools shut down
    instead of the process vanishing mid-write (`export --watch` installs its own handler)."""
    import signal

    def stop(_signum, _frame):
        raise Terminated

    try:
        return signal.signal(signal.SIGTERM, stop)  # the handler it replaced, to put back
    except ValueError:  # not the main thread (main() called from a test's worker): leave it
        return None


# Commands that may run long without opening a library through _open: the
# garbage collector is never paused for them (see _pause_gc_for_start_up).
_GC_AS_USUAL = frozenset({None, "screenshot", "repair", "server"})
_gc_paused = False


def _pause_gc_for_start_up() -> None:
    """Hold the cyclic garbage collector while a command's modules load.

    Loading SQLAlchemy, the models, the templates and Markdown makes some
    hundreds of thousands of long-lived objects, and the collector scans them
    again and again while they are made (~15% of a one-story export's start,
    for nothing: none of them is garbage). _start_up_done freezes what was
    loaded (never scanned again) and turns the collector back on.
    """
    global _gc_paused
    import gc

    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def _start_up_done() -> None:
    """The command's modules are loaded (the library is open): collect as usual from here."""
    global _gc_paused
    if _gc_paused:
        import gc

        _gc_paused = False
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:  # the editor handles its own shutdown
        return _run(args)
    # Only for a real command line (argv None): a test calling main() in its own
    # process keeps its collector as it is.
    if argv is None and args.command not in _GC_AS_USUAL:
        _pause_gc_for_start_up()
    previous = _stop_cleanly_on_sigterm()
    try:
        return _run(args)
    finally:
        _start_up_done()
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    """Run the parsed command; every error becomes one sentence and an exit code."""
    from newsdesk import cli_publish, cli_sync

    try:
        # Resolved once, before anything runs: every command, and anything it
        # starts, sees the same absolute folder whatever the working directory.
        args.library_dir = _library_dir(args)
        commands = {**COMMANDS, **cli_sync.COMMANDS, **cli_publish.COMMANDS}
        commands |= {**cli_export.COMMANDS, **cli_setup.COMMANDS, **cli_status.COMMANDS}
        return commands[args.command](args)
    except (CommandError, LibraryError) as exc:
        # LibraryError: e.g. the shared library's server refused a write to this role.
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except KeyboardInterrupt:
        print("newsdesk: interrupted.", file=sys.stderr)
        return 130
    except Terminated:
        print(
            "newsdesk: stopped before finishing (terminated); what was not finished was not "
            "saved, so run the command again to complete it.",
            file=sys.stderr,
        )
        return 128 + 15
    except OSError as exc:
        print(f"newsdesk: {_describe_os_error(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print("newsdesk: ran out of memory; nothing more was done.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 (the last line of defence: never a traceback)
        print(f"newsdesk: {_explain(exc, args)}", file=sys.stderr)
        return EXIT_ERROR


def _explain(exc: Exception, args) -> str:
    """One sentence for an error that escaped a command, naming the problem and what to do."""
    import sqlite3

    from newsdesk.library import LibraryError

    if isinstance(exc, LibraryError):
        return str(exc)
    cause = getattr(exc, "orig", None) or exc
    library_dir = getattr(args, "library_dir", None)
    if isinstance(cause, sqlite3.Error) and library_dir is not None:
        from newsdesk.library import database

        db_path = library_dir / "library.sqlite"
        if database.quick_check(db_path):
            from newsdesk.library.errors import LibraryDamaged

            return str(LibraryDamaged(db_path, database.damage_detail(db_path, cause)))
        return f"The library could not be read or written ({cause}); nothing was changed."
    # A defect of ours: the user gets one sentence, the details go to a file.
    log = _write_crash_log()
    where = f" Details are in {log}." if log else ""
    return f"something went wrong inside newsdesk; the command stopped.{where}"


def _describe_os_error(exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"the disk is full{where}; nothing was left half-written. Free some space and try again."
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}."


def _write_crash_log() -> Path | None:
    """The traceback of an unexpected error, in the per-user log folder; None if it cannot be written."""
    import tempfile
    import traceback

    import appdirs

    text = traceback.format_exc()
    for folder in (Path(appdirs.user_log_dir("newsdesk", "newsdesk")), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "newsdesk-error.log"
            path.write_text(f"{datetime.now().isoformat()}\n{text}", encoding="utf-8")
            return path
        except OSError:
            continue
    return None


if __name__ == "__main__":
    raise SystemExit(main())
