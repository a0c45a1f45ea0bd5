"""`newsdesk unlink`: a laptop stops syncing and keeps every story; it refuses, in one sentence,
while unsent changes or open conflicts would be left behind, unless --force."""

from __future__ import annotations

import json

from newsdesk.library import Library
from tests.core.test_sync import edit, nd, story


def _linked(tmp_path):
    server, laptop = tmp_path / "server", tmp_path / "laptop"
    Library.open(server).close()
    with Library.open(laptop) as lib:
        lib.create_article(headline="Ferry strike ends", body="Boats again.\n")
    nd(laptop, "sync", str(server))
    return server, laptop


def test_unlink_keeps_every_story_forgets_the_link_and_a_later_sync_url_links_again(tmp_path):
    server, laptop = _linked(tmp_path)
    done = nd(laptop, "unlink")
    assert done.stdout.startswith(f"Unlinked from {server}: every story stays on this laptop")
    assert done.stderr == ""
    assert [a["slug"] for a in json.loads(nd(laptop, "list", "--json").stdout)] == [
        "ferry-strike-ends"
    ]
    done = nd(laptop, "sync", check=2)  # nothing syncs until it is linked again
    assert "not linked" in done.stderr and done.stderr.count("\n") == 1
    done = nd(laptop, "unlink")  # twice: nothing to do, said so, exit 0
    assert done.stdout == (
        "This library is not linked to a shared library; there is nothing to unlink.\n"
    )
    # Linked again: what changed while unlinked has no common base, so where the two
    # differ it is a conflict that loses neither value.
    edit(laptop, "ferry-strike-ends", headline="Ferry strike ends at dawn")
    assert "1 conflict" in nd(laptop, "sync", str(server), check=1).stdout
    assert story(server, "ferry-strike-ends").headline == "Ferry strike ends"
    nd(laptop, "resolve", "ferry-strike-ends", "headline", "--mine")
    nd(laptop, "sync")
    assert story(server, "ferry-strike-ends").headline == "Ferry strike ends at dawn"
    assert len(json.loads(nd(laptop, "list", "--json").stdout)) == 1  # not doubled


def test_unlink_refuses_while_changes_are_unsent_then_force_unlinks_and_says_what_stayed(
    tmp_path,
):
    server, laptop = _linked(tmp_path)
    edit(laptop, "ferry-strike-ends", headline="Written offline")
    done = nd(laptop, "unlink", check=2)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "Not unlinked: 1 change not yet sent would stay on this laptop only" in done.stderr
    assert "--force" in done.stderr and done.stdout == ""
    nd(laptop, "sync")  # still linked: the refusal changed nothing
    assert story(server, "ferry-strike-ends").headline == "Written offline"

    edit(laptop, "ferry-strike-ends", dek="Also offline")
    edit(server, "ferry-strike-ends", dek="The desk's dek")  # the same field: a conflict
    nd(laptop, "sync", check=1)
    done = nd(laptop, "unlink", check=2)
    assert "1 open conflict would be dropped" in done.stderr
    done = nd(laptop, "unlink", "--force")
    assert done.stdout.splitlines()[1] == "1 open conflict was dropped."
    assert story(laptop, "ferry-strike-ends").dek == "Also offline"  # the laptop's own value
    assert json.loads(nd(laptop, "conflicts", "--json").stdout) == []


def test_unlink_on_a_shared_librarys_address_and_in_the_help(tmp_path):
    done = nd(
        tmp_path / "laptop",
        "--library",
        "postgresql+psycopg://ana@db.example/news",
        "unlink",
        check=2,
    )
    assert done.stderr.count("\n") == 1
    assert "Unlink runs on a laptop's library folder" in done.stderr
    helped = nd(tmp_path / "laptop", "--help")
    assert "stop syncing with the shared library; every story stays here" in helped.stdout
    helped = nd(tmp_path / "laptop", "unlink", "--help")
    assert "--force" in helped.stdout and "every story and picture stays" in helped.stdout
