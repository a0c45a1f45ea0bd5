"""The `newsdesk images` commands: import pictures (with a photo-desk template) and search them by field."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from newsdesk.cli_templates import add_templates_parser, cmd_templates

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
IMPORT_HEADROOM = 2 * 1024 * 1024  # as cli.py: the WAL and thumbnails beside two copies


def add_parser(sub):
    """`images import FILE… [--template NAME]` and `images search [QUERY] [--json]`.

    Returns the `images` command's subparsers, for the commands other modules add.
    """
    images = sub.add_parser("images", help="import and search the picture library")
    isub = images.add_subparsers(dest="images_command", metavar="SUBCOMMAND", required=True)
    s = isub.add_parser(
        "import",
        help="import picture files (folders: the pictures in them)",
        description="Import pictures as the editor's Import Images does: their metadata is read, "
        "thumbnails made; the same file twice is one picture.",
    )
    s.add_argument("files", nargs="+", type=Path, metavar="FILE")
    s.add_argument(
        "--template", metavar="NAME", help="apply this photo-desk template to new pictures"
    )
    s.add_argument("--json", action="store_true", help="print the imported pictures as JSON")
    s.add_argument(
        "--use-existing",
        action="store_true",
        help="a file that looks like a picture already in the library (the same photograph "
        "in another format or size) is not imported: the library's picture is used. "
        "Without it both are kept and a warning names the look-alike.",
    )
    s = isub.add_parser(
        "search",
        help="search pictures by words and fields",
        description='Fields: credit:"Harbour Agency" city:Malaga keyword:ferry missing:alt '
        "has:copyright; a minus before a term leaves those pictures out. No query lists "
        "every picture, newest first.",
    )
    s.add_argument("query", nargs="*", metavar="QUERY")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--limit", type=int, default=None, help="at most this many pictures")
    add_templates_parser(isub)
    return isub


def picture_json(image) -> dict:
    from newsdesk.library.library import IMAGE_FIELDS

    fields = {name: getattr(image, name) or "" for name in sorted(IMAGE_FIELDS)}
    fields["keywords"] = [k for k in fields["keywords"].splitlines() if k.strip()]
    return {
        "uid": image.uid,
        "file": image.original_name,
        "media": image.filename,
        "width": image.width,
        "height": image.height,
        "fields": fields,
    }


def _picture_files(paths: list[Path]) -> list[Path]:
    from newsdesk.images import is_image_path

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and is_image_path(p))
        else:
            out.append(path)  # a missing or unreadable file is reported by the import itself
    return out


def cmd_images(args, open_library, command_error) -> int:
    if args.images_command == "import":
        return _import(args, open_library, command_error)
    if args.images_command == "templates":
        return cmd_templates(args, open_library, command_error)
    return _search(args, open_library, command_error)


def _import(args, open_library, command_error) -> int:
    from newsdesk.images.library_import import import_images
    from newsdesk.images.near import find_look_alikes
    from newsdesk.library import LibraryError

    files = _picture_files([Path(p) for p in args.files])
    if not files:
        raise command_error("There are no pictures in those folders; name picture files to import.")
    with open_library(args, write=True, create=True) as lib:
        needed = IMPORT_HEADROOM + sum(2 * p.stat().st_size for p in files if p.is_file())
        free = shutil.disk_usage(lib.root).free
        if free < needed:
            raise command_error(
                f"The disk holding the library has {free // 1024 // 1024} MB free and this import "
                f"needs about {needed // 1024 // 1024 + 1} MB; nothing was imported. Free some "
                "space and import again."
            )
        try:
            if args.template is not None:
                lib.get_template(args.template)  # an unknown name stops before anything is read
            alikes = find_look_alikes(lib, files)
            if args.use_existing:
                skipped = {a.path for a in alikes}
                files = [p for p in files if p not in skipped]
            report = import_images(lib, files, template=args.template) if files else None
        except LibraryError as exc:
            raise command_error(str(exc)) from None
    for alike in alikes:
        if args.use_existing:
            then = f"used that one ({alike.existing.uid}); {alike.path.name} was not imported"
        else:
            then = "kept both (--use-existing uses the library's picture instead)"
        print(f"warning: {alike.message}; {then}.", file=sys.stderr)
    if report is None:  # every file was a look-alike, and the library's pictures are used
        if args.json:
            print("[]")
        return EXIT_OK
    if report.error:
        raise command_error(report.error)
    if args.json:
        print(json.dumps([picture_json(i) for i in report.imported], ensure_ascii=False, indent=2))
    else:
        for image in report.imported:
            print(f"imported {image.original_name} ({image.uid})")
    for failure in report.failed:
        print(f"error: {failure.message}", file=sys.stderr)
    return EXIT_PROBLEMS if report.failed else EXIT_OK


def _search(args, open_library, command_error) -> int:
    from newsdesk.library.image_query import QueryError

    query = " ".join(args.query)
    with open_library(args) as lib:
        try:
            images = lib.search_images(query, limit=args.limit)
        except QueryError as exc:
            raise command_error(str(exc)) from None
    if args.json:
        print(json.dumps([picture_json(i) for i in images], ensure_ascii=False, indent=2))
        return EXIT_OK
    for image in images:
        credit = image.credit or "(no credit)"
        print(f"{image.uid}  {image.original_name}  {credit}")
    if not images:
        print("No pictures match." if query.strip() else "The library has no pictures yet.")
    return EXIT_OK
