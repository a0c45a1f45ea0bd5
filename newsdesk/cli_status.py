"""The command line's publishing rule: `status SLUG [STATUS]`, and how refusals are printed.

A story becomes published on the command line as in the window: through
`preflight.publish_article`, refused with preflight's reasons (exit 1) unless
`--override-reason TEXT` is given, which the story's history keeps.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_PROBLEMS = 0, 1
OVERRIDE_HELP = "publish even though preflight fails; the reason is kept in the story's history"


def add_parsers(sub) -> None:
    from newsdesk.library.vocabulary import ARTICLE_STATUSES

    s = sub.add_parser(
        "status",
        help="show a story's status, or set it (published only through preflight)",
        description="Without STATUS, print the story's status. Setting it to published runs "
        "preflight first and refuses with its reasons (exit 1) unless --override-reason is given.",
    )
    s.add_argument("slug")
    s.add_argument("status", nargs="?", choices=ARTICLE_STATUSES, metavar="STATUS")
    s.add_argument("--override-reason", default="", metavar="TEXT", help=OVERRIDE_HELP)


def print_refusal(slug: str, status: str, reasons: list[str]) -> None:
    """Preflight's reasons, one sentence a line, on stderr (the problems of a command)."""
    print(
        f"newsdesk: {slug} was not published (it stays {status}): preflight found "
        f"{len(reasons)} problem{'' if len(reasons) == 1 else 's'}; "
        f"fix {'it' if len(reasons) == 1 else 'them'}, or give --override-reason TEXT:",
        file=sys.stderr,
    )
    for reason in reasons:
        print(f"  - {reason}", file=sys.stderr)


def cmd_status(args) -> int:
    from newsdesk.cli import _article, _open
    from newsdesk.library.errors import PublishRefused
    from newsdesk.preflight import preflight, publish_article

    if args.override_reason.strip() and args.status != "published":
        from newsdesk.cli import CommandError

        raise CommandError("--override-reason is for publishing; use it with STATUS published.")
    with _open(args, write=args.status is not None) as lib:
        article = _article(lib, args.slug)
        if args.status is None:
            print(article.status)
            return EXIT_OK
        if args.status == article.status:
            print(f"{article.slug} is already {article.status}.")
            return EXIT_OK
        if args.status != "published":
            lib.update_article(article.id, status=args.status)
            print(f"{article.slug} is now {args.status}.")
            return EXIT_OK
        overridden = any(p.is_error for p in preflight(lib, article))
        try:
            publish_article(lib, article.id, override_reason=args.override_reason)
        except PublishRefused as exc:
            print_refusal(article.slug, article.status, [p.message for p in exc.problems])
            return EXIT_PROBLEMS
    if overridden:
        print(f"Published {article.slug} over preflight; the reason is kept in its history.")
    else:
        print(f"Published {article.slug}.")
    return EXIT_OK


COMMANDS = {"status": cmd_status}
