"""The command line's `publish wordpress`: stories into a newsroom's WordPress through its REST API.

The site and user are remembered in the library's settings; the application
password is read from NEWSDESK_WP_PASSWORD and never stored. Exit 0 when every
story went out (or was already there), 1 when one was refused by preflight or
left alone because it changed in WordPress, 2 when publishing could not run.
"""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def add_parsers(sub) -> None:
    publish = sub.add_parser("publish", help="publish stories into another system (WordPress)")
    targets = publish.add_subparsers(dest="publish_target", metavar="TARGET", required=True)
    s = targets.add_parser(
        "wordpress",
        help="create or update the stories' posts on a WordPress site",
        description="Publish stories into WordPress through its REST API. The application "
        "password (WordPress > Users > Profile > Application Passwords) is read from "
        "NEWSDESK_WP_PASSWORD and never stored; --site and --user are remembered.",
    )
    s.add_argument("slugs", nargs="*", metavar="SLUG")
    s.add_argument(
        "--all-published", action="store_true", help="every published story (those past embargo)"
    )
    s.add_argument(
        "--site", metavar="URL", help="the site's address, e.g. https://news.example.org/"
    )
    s.add_argument("--user", metavar="NAME", help="the WordPress user who publishes")
    s.add_argument(
        "--status",
        choices=("draft", "publish", "future"),
        help="the posts' status (default: future under embargo, publish when published here, "
        "else draft)",
    )
    s.add_argument(
        "--force", action="store_true", help="overwrite posts that were changed in WordPress"
    )


def _error(message: str):
    from newsdesk.cli import CommandError

    return CommandError(message)


def cmd_publish(args) -> int:
    from newsdesk.cli import _article, _open
    from newsdesk.publish.wordpress import (
        PASSWORD_ENV,
        SITE_SETTING,
        USER_SETTING,
        NotPublishable,
        check_login,
        publish_story,
    )
    from newsdesk.publish.wp_api import WordPressAPI, WordPressError, clean_site_url

    if args.all_published and args.slugs:
        raise _error("Use either SLUG... or --all-published, not both.")
    if not args.all_published and not args.slugs:
        raise _error("Name the stories to publish, or use --all-published.")
    with _open(args, write=True) as lib:
        site = args.site if args.site is not None else lib.get_setting(SITE_SETTING, "")
        user = args.user if args.user is not None else lib.get_setting(USER_SETTING, "")
        if not site:
            raise _error("Give the WordPress site with --site URL (it is remembered after).")
        if not (user or "").strip():
            raise _error("Give the WordPress user with --user NAME (it is remembered after).")
        try:
            site = clean_site_url(site)
        except WordPressError as exc:
            raise _error(str(exc)) from None
        password = os.environ.get(PASSWORD_ENV, "").strip()
        if not password:
            raise _error(
                f"Set {PASSWORD_ENV} to an application password of {user} on {site} "
                "(WordPress > Users > Profile > Application Passwords); newsdesk never stores it."
            )
        if args.all_published:
            from newsdesk.rules import is_public

            articles = [a for a in lib.all_articles(status="published") if is_public(a)]
            articles = [lib.get_article(a.id) for a in articles if a.deleted_at is None]
        else:
            articles = [_article(lib, slug) for slug in dict.fromkeys(args.slugs)]
        api = WordPressAPI(site, user.strip(), password)
        try:
            check_login(api)
        except WordPressError as exc:
            raise _error(str(exc)) from None
        # Remembered once the site has accepted them, so a typo is not kept.
        lib.set_setting(SITE_SETTING, site)
        lib.set_setting(USER_SETTING, user.strip())
        problems = 0
        for article in articles:
            # Progress (pictures can take a while) on a terminal only: scripts read the results.
            progress = _progress(article.slug) if sys.stderr.isatty() else None
            try:
                outcome = publish_story(
                    lib, api, article, status=args.status, force=args.force, progress=progress
                )
            except NotPublishable as exc:
                _clear(progress)
                problems += 1
                print(f"{exc.slug}: not published; {len(exc.problems)} problem(s)")
                for line in exc.problems:
                    print(f"  - {line[0].upper()}{line[1:]}")
                continue
            except WordPressError as exc:
                _clear(progress)
                print(f"newsdesk: {article.slug}: {exc}", file=sys.stderr)
                return EXIT_ERROR
            _clear(progress)
            print(outcome.message)
            if not outcome.ok:
                problems += 1
        if not articles:
            print("No published stories to send.")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _progress(slug: str):
    def say(text: str) -> None:
        print(f"\r\033[K{slug}: {text}", end="", file=sys.stderr, flush=True)

    return say


def _clear(progress) -> None:
    """Wipe the progress line before a result is printed."""
    if progress is not None:
        print("\r\033[K", end="", file=sys.stderr, flush=True)


COMMANDS = {"publish": cmd_publish}
