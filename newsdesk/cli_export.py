"""The command line's export command: article pages or the whole site, once or after every save
(`export --all --watch`)."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def add_parsers(sub) -> None:
    s = sub.add_parser("export", help="export article pages or the whole site")
    s.add_argument("slugs", nargs="*", metavar="SLUG")
    s.add_argument("--all", action="store_true", help="export the whole site")
    s.add_argument("--out", type=Path, required=True, metavar="DIR")
    s.add_argument(
        "--watch",
        action="store_true",
        help="with --all: keep running and republish after every save (Ctrl+C to stop)",
    )


def cmd_export(args) -> int:
    from newsdesk.cli import CommandError

    if not args.all and not args.slugs:
        raise CommandError("Name the articles to export, or use --all for the whole site.")
    if args.all and args.slugs:
        raise CommandError("Use either SLUG... or --all, not both.")
    if args.watch and not args.all:
        raise CommandError("--watch republishes the whole site; use it with --all.")
    from newsdesk.cli import CommandError, _article, _open, _out_dir, library_must_exist
    from newsdesk.export import ExportError, export_articles
    from newsdesk.export.incremental import publish
    from newsdesk.library import LibraryError

    out = _out_dir(args.out)
    library_must_exist(args)  # before watch mode, which opens the library later
    if args.watch:
        return _watch_export(args, out)
    with _open(args) as lib:
        try:
            if args.all:
                # Only what changed since this folder's last export is rendered again.
                report = publish(lib, out)
            else:
                for slug in args.slugs:
                    _article(lib, slug)
                report = export_articles(lib, args.slugs, out)
        except (ExportError, LibraryError) as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:
            if not _is_template_error(exc):
                raise
            raise CommandError(_template_failure(exc, lib)) from None
    print(report.summary())
    for line in report.problem_lines():
        print(line, file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _is_template_error(exc: BaseException) -> bool:
    """Whether a page template failed (Jinja2 is loaded only by an export that renders pages:
    when it is not loaded, no template ran)."""
    jinja2 = sys.modules.get("jinja2")
    return jinja2 is not None and isinstance(exc, jinja2.TemplateError)


def _template_failure(exc, lib) -> str:
    """One sentence for a page template that does not parse or fails while rendering."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        # A publication's own template (in <library>/templates) that does not parse.
        return (
            f"The template {exc.filename or exc.name} has an error on line {exc.lineno} "
            f"({exc.message}); fix it or remove it, then export again."
        )
    return (
        f"A page template failed ({exc.message}); check the templates in "
        f"{lib.templates_dir}, then export again."
    )


def _watch_export(args, out: Path) -> int:
    """Republish after every save until Ctrl+C or SIGTERM; both end it with exit 0."""
    import signal
    import threading

    from newsdesk.cli import _open
    from newsdesk.export.watch import watch

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    said: list[str] = []  # the problem lines last printed

    def report(r) -> None:
        if r.rendered_pages != 0 or r.changed_files:
            print(r.summary(), flush=True)
        # Every publish names the stories still held back; said again only when that changes
        # (a publish every 30 s with nothing new must not scroll the same list past).
        problems = r.problem_lines()
        if problems != said:
            if not r.held_back and any(not line.startswith("warning:") for line in said):
                print("Every public story is on the site now.", file=sys.stderr, flush=True)
            for line in problems:
                print(line, file=sys.stderr, flush=True)
            said[:] = problems

    def error(message: str) -> None:
        print(f"newsdesk: {message}", file=sys.stderr, flush=True)

    with _open(args) as lib:
        print(f"Publishing {lib.root} to {out} after every save; Ctrl+C to stop.", flush=True)
        try:
            watch(
                lib,
                out,
                stop=stop,
                on_report=report,
                on_error=error,
                describe=lambda exc: _template_failure(exc, lib),
                on_notice=lambda message: print(message, flush=True),
            )
        except KeyboardInterrupt:
            pass
    print("Stopped publishing.", flush=True)
    return EXIT_OK


COMMANDS = {"export": cmd_export}
