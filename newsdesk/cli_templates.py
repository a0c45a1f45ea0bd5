"""`newsdesk images templates list|show|set|delete`: the photo desk's templates from the command line."""

from __future__ import annotations

import json
import sys

from newsdesk.library.vocabulary import TEMPLATE_FIELDS

EXIT_OK = 0


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")


def add_templates_parser(isub) -> None:
    """Add `templates` to the `images` command's subparsers."""
    t = isub.add_parser(
        "templates",
        help="list, show, create, change or delete photo-desk templates",
        description="Templates are named sets of picture fields applied on import "
        "(`images import --template NAME`) or to a selection in the image panel. "
        "Values may use {year}, {date}, {creator}, {filename} and {city}.",
    )
    tsub = t.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    s = tsub.add_parser("list", help="the templates, by name")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = tsub.add_parser("show", help="one template's fields")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = tsub.add_parser(
        "set",
        help="create a template, or change the fields given of an existing one",
        description="Fields not given keep their value (a new template leaves them empty); "
        'an empty value ("") clears a field.',
    )
    s.add_argument("name", metavar="NAME")
    for field in TEMPLATE_FIELDS:
        if field == "keywords":
            continue
        s.add_argument(_option(field), dest=field, metavar="TEXT", default=None)
    s.add_argument(
        "--keyword",
        dest="keywords",
        action="append",
        metavar="WORD",
        default=None,
        help="a keyword (repeat for more; replaces the template's keywords)",
    )
    s.add_argument("--rename", metavar="NEW_NAME", default=None, help="give it a new name")
    s = tsub.add_parser("delete", help="delete a template")
    s.add_argument("name", metavar="NAME")


def _as_json(template) -> dict:
    values = template.values()
    values["keywords"] = [k for k in values["keywords"].splitlines() if k.strip()]
    return {"name": template.name, "uid": template.uid, "fields": values}


def cmd_templates(args, open_library, command_error) -> int:
    from newsdesk.library import LibraryError
    from newsdesk.library.image_templates import TemplateError

    action = args.templates_command
    write = action in ("set", "delete")
    with open_library(args, write=write) as lib:
        try:
            if action == "list":
                templates = lib.list_templates()
                if args.json:
                    print(
                        json.dumps([_as_json(t) for t in templates], ensure_ascii=False, indent=2)
                    )
                elif not templates:
                    print("There are no templates yet; make one with `images templates set NAME`.")
                for t in templates if not args.json else []:
                    print(t.name)
            elif action == "show":
                template = lib.get_template(args.name)
                if args.json:
                    print(json.dumps(_as_json(template), ensure_ascii=False, indent=2))
                else:
                    print(template.name)
                    for field, value in template.values().items():
                        shown = ", ".join(value.splitlines()) if field == "keywords" else value
                        print(f"  {field.replace('_', ' ')}: {shown}")
            elif action == "set":
                _set(lib, args)
            else:
                template = lib.get_template(args.name)
                lib.delete_template(template.id)
                print(f"deleted {template.name}")
        except (TemplateError, LibraryError) as exc:
            raise command_error(str(exc)) from None
    return EXIT_OK


def _set(lib, args) -> None:
    from newsdesk.library import NotFound

    given = {f: getattr(args, f) for f in TEMPLATE_FIELDS if getattr(args, f) is not None}
    if "keywords" in given:
        given["keywords"] = "\n".join(k.strip() for k in given["keywords"] if k.strip())
    try:
        existing = lib.get_template(args.name)
    except NotFound:
        existing = None
    if existing is None:
        if args.rename:
            raise NotFound(f"There is no template called {args.name!r} to rename.")
        template = lib.save_template(args.name, given)
        print(f"created {template.name}")
        return
    values = {**existing.values(), **given}
    template = lib.save_template(args.rename or existing.name, values, template_id=existing.id)
    if not given and not args.rename:
        print(
            f"{template.name} is unchanged (give fields to set, such as --credit)", file=sys.stderr
        )
    else:
        print(f"saved {template.name}")
