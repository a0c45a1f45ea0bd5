"""`newsdesk images export QUERY --out DIR [--sidecars]`: originals with the library's corrected metadata."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS = 0, 1


def add_export_parser(images_sub) -> None:
    """The `export` subcommand, under the `images` command's subparsers."""
    s = images_sub.add_parser(
        "export",
        help="write full-size originals carrying the library's captions, credits and rights",
        description="QUERY is `all`, a picture's uid or SHA-256, its file name, or words its "
        "fields contain. Each copy carries the same values in EXIF, IPTC and XMP; the "
        "library's own files are never changed.",
    )
    s.add_argument("query", metavar="QUERY")
    s.add_argument("--out", type=Path, required=True, metavar="DIR")
    s.add_argument(
        "--sidecars",
        action="store_true",
        help="copy the originals untouched and write NAME.xmp beside each",
    )


def cmd_images_export(args, open_library, out_dir, command_error) -> int:
    from newsdesk.images.model import ImageError
    from newsdesk.images.originals import export_originals, select_images

    out = out_dir(args.out)
    with open_library(args) as lib:
        images = select_images(lib, args.query)
        if not images:
            raise command_error(
                f"No picture matches {args.query!r}; give a uid, a file name, words, or `all`."
            )
        if out.exists() and not out.is_dir():
            raise command_error(f"{out} is a file; give --out a folder for the pictures.")
        if lib.media_dir.resolve() in (out.resolve(), *out.resolve().parents):
            raise command_error(
                "--out is inside the library's media folder; give a folder outside the library."
            )
        try:
            report = export_originals(lib, images, out, sidecars=args.sidecars)
        except ImageError as exc:
            raise command_error(str(exc)) from None
    for item in report.written:
        line = str(item.path) + (f"  (+ {item.sidecar.name})" if item.sidecar else "")
        print(line)
        if item.note:
            print(f"warning: {item.note}", file=sys.stderr)
    for problem in report.problems:
        print(f"newsdesk: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if report.problems else EXIT_OK
