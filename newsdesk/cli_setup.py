"""The command line's commands that set a library up: the publication's settings (`publication`),
the newsroom's shared library on PostgreSQL (`server init`, `server grant`), and `repair`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def add_parsers(sub) -> None:
    sub.add_parser("repair", help="copy what can be read of a damaged library into a new one")
    s = sub.add_parser(
        "publication",
        help="show the publication's settings, or set the ones given",
        description="Without options, print the publication's settings; with options, set "
        "only those. Until a base URL is set, exported pages have no canonical links and "
        "the site has no sitemaps.",
    )
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--name", metavar="N", help="the name on every page")
    s.add_argument(
        "--base-url",
        metavar="URL",
        help='where the site is published, e.g. https://news.example.org/ ("" clears it)',
    )
    s.add_argument("--language", metavar="L", help="the pages' language tag, e.g. en or en-GB")
    s.add_argument("--timezone", metavar="TZ", help="the time zone of dates, e.g. Europe/London")
    s.add_argument("--logo", type=Path, metavar="FILE", help="an image file to use as the logo")
    server = sub.add_parser("server", help="set up a newsroom's shared library on PostgreSQL")
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    s = server_sub.add_parser("init", help="create or upgrade the shared library's schema")
    s.add_argument("url", metavar="URL", help="postgresql+psycopg://USER@HOST/DB (no password)")
    s = server_sub.add_parser("grant", help="give a PostgreSQL login its newsdesk role")
    s.add_argument("url", metavar="URL")
    s.add_argument("user", metavar="USER", help="the PostgreSQL login (created if missing)")
    s.add_argument("--role", required=True, choices=("reporter", "editor"))
    s = server_sub.add_parser(
        "reindex", help="bring search up to date after changes made outside newsdesk"
    )
    s.add_argument("url", metavar="URL")


def _publication_json(lib, pub) -> dict:
    logo = None
    if pub.logo_image_id is not None:
        from newsdesk.library import NotFound

        try:
            image = lib.get_image(pub.logo_image_id)
        except NotFound:
            image = None
        if image is not None:
            logo = {
                "uid": image.uid,
                "name": image.original_name,
                "width": image.width,
                "height": image.height,
            }
    return {
        "name": pub.name,
        "base_url": pub.base_url,
        "language": pub.language,
        "timezone": pub.timezone,
        "logo": logo,
    }


def cmd_publication(args) -> int:
    from newsdesk.cli import CommandError, _open
    from newsdesk.library import LibraryError
    from newsdesk.library import publication as settings

    checks = (
        ("name", args.name, settings.clean_name),
        ("base_url", args.base_url, settings.clean_base_url),
        ("language", args.language, settings.clean_language),
        ("timezone", args.timezone, settings.clean_timezone),
    )
    changes = {}
    try:
        for key, value, clean in checks:
            if value is not None:
                changes[key] = clean(value)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.logo is not None and not args.logo.is_file():
        raise CommandError(
            f"{args.logo}: no such file."
            if not args.logo.exists()
            else f"{args.logo} is not an image file; give the logo's picture."
        )
    with _open(args, create=True) as lib:  # a new library's first setting starts it
        try:
            if args.logo is not None:
                from newsdesk.images.library_import import import_image

                try:
                    changes["logo_image_id"] = import_image(lib, args.logo).id
                except LibraryError:
                    raise
                except Exception as exc:  # ImageError and OS errors carry a clear message
                    raise CommandError(f"The logo was not imported: {exc}") from None
            pub = lib.update_publication(**changes) if changes else lib.publication()
        except LibraryError as exc:
            raise CommandError(str(exc)) from None
        data = _publication_json(lib, pub)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    logo = data["logo"]
    print(f"name:      {data['name']}")
    print(f"base URL:  {data['base_url'] or '(not set)'}")
    print(f"language:  {data['language']}")
    print(f"time zone: {data['timezone']}")
    print(f"logo:      {(logo['name'] or logo['uid']) if logo else '(none)'}")
    if not data["base_url"]:
        print(
            "warning: no base URL is set, so exported pages have no canonical links and the "
            "site has no sitemaps; set one with: newsdesk publication --base-url URL",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_repair(args) -> int:
    from newsdesk.library.repair import NothingToRepair, repair_library

    root = args.library_dir
    try:
        report = repair_library(root)
    except NothingToRepair as exc:
        print(exc)
        return EXIT_OK
    for table in report.tables:
        print(table.line(), file=sys.stdout if table.complete else sys.stderr)
    print(f"The damaged file is kept as {report.damaged_copy}.")
    if report.complete:
        print(f"The library at {root} was rebuilt with every row recovered.")
        return EXIT_OK
    print(f"The library at {root} was rebuilt; the rows listed above were lost.", file=sys.stderr)
    return EXIT_PROBLEMS


def cmd_server(args) -> int:
    from newsdesk.cli import CommandError
    from newsdesk.library import LibraryError
    from newsdesk.library.pg import display_url, grant_role, init_server, parse_url

    if not args.url.strip().lower().startswith(("postgresql://", "postgresql+psycopg://")):
        raise CommandError(
            "A shared library's URL starts postgresql+psycopg:// (or postgresql://), "
            "e.g. postgresql+psycopg://dba@db.example.org/newsroom."
        )
    try:
        where = display_url(parse_url(args.url))
        if args.server_command == "init":
            before, now = init_server(args.url)
            if before is None:
                print(f"Created the shared library at {where} (schema {now}).")
            elif before == now:
                print(f"The shared library at {where} is up to date (schema {now}).")
            else:
                print(f"Upgraded the shared library at {where} from schema {before} to {now}.")
            return EXIT_OK
        if args.server_command == "reindex":
            print(_reindex(args.url, where))
            return EXIT_OK
        created = grant_role(args.url, args.user, args.role)
    except LibraryError as exc:
        raise CommandError(str(exc)) from None
    made = " (its login was created without a password: the DBA sets one)" if created else ""
    print(
        f"{args.user} is now {'an editor' if args.role == 'editor' else 'a reporter'} on {where}{made}."
    )
    return EXIT_OK


def _reindex(url: str, where: str) -> str:
    from newsdesk.library.shared import SharedLibrary

    with SharedLibrary.open_url(url, pool_size=1) as lib:
        stories, recounted = lib.catch_up_search()
    if not stories and not recounted:
        return f"Search on {where} was already up to date."
    counted = "; the word counts were made again" if recounted else ""
    noun = "story" if stories == 1 else "stories"
    return f"Search on {where} is up to date: {stories} {noun} indexed again{counted}."


COMMANDS = {"publication": cmd_publication, "repair": cmd_repair, "server": cmd_server}
