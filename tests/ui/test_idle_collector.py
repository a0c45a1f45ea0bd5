"""The garbage collector's full passes wait for a pause in typing (newsdesk.ui.collector)."""

from __future__ import annotations

import gc
import time

import pytest

from newsdesk.ui import collector


@pytest.fixture
def full_passes():
    """The generation of every pass the collector makes while the test runs."""
    passes: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(info["generation"])

    saved = gc.get_threshold()
    gc.callbacks.append(watch)
    yield passes
    gc.callbacks.remove(watch)
    collector.uninstall()
    gc.set_threshold(*saved)
    gc.unfreeze()


def make_cyclic_garbage(held: list, rounds: int) -> None:
    """Cycles that live a while (long enough to reach the oldest generation), then die:
    enough that Python, left to itself, would start full passes."""
    for _ in range(rounds):
        batch = []
        for _ in range(2_000):
            a: list = []
            a.append(a)
            batch.append(a)
        held.append(batch)
        if len(held) > 30:
            held.pop(0)


def test_no_full_pass_runs_while_keys_are_typed_and_one_runs_after_a_pause(qtbot, full_passes):
    # A pause of 2 s, not the product's: a loaded machine can stall one "key" of this loop
    # for longer than 300 ms, which the collector would rightly take for a pause.
    idle = collector.install(idle_ms=2_000)
    held: list = []
    typed_until = time.monotonic() + 1.0
    while time.monotonic() < typed_until:  # typing: a key every 20 ms, garbage made meanwhile
        collector.activity()
        make_cyclic_garbage(held, 5)
        qtbot.wait(20)
    held.clear()
    assert 2 not in full_passes, "a full pass ran while keys were being typed"
    assert idle.due(), "the test made too little garbage for a full pass to be due"
    qtbot.waitUntil(lambda: 2 in full_passes, timeout=10_000)
    assert idle.full_passes == 1
    assert not idle.due()
    assert 0 in full_passes, "the young passes stopped running"


def test_python_left_to_itself_would_run_full_passes_while_typing(qtbot, full_passes):
    # The garbage the test above makes is enough to matter: without the collector, a full
    # pass runs in the middle of the typing.
    gc.freeze()  # as the product did before (start-up frozen, full passes when Python likes)
    held: list = []
    typed_until = time.monotonic() + 1.0
    while time.monotonic() < typed_until:
        make_cyclic_garbage(held, 5)
        qtbot.wait(20)
    assert 2 in full_passes


def test_what_was_loaded_before_the_window_is_left_out_of_the_passes(qtbot, full_passes):
    loaded = [[] for _ in range(1_000)]
    collector.install()
    assert gc.get_freeze_count() >= len(loaded)


def test_leaving_gives_python_its_own_schedule_back(qtbot, full_passes):
    before = gc.get_threshold()
    collector.install(idle_ms=300)
    assert gc.get_threshold()[2] > 1_000_000
    collector.uninstall()
    assert gc.get_threshold() == before
    collector.activity()  # with none installed: nothing happens, nothing fails
