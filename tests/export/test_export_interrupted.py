"""An export killed at any moment leaves a folder that the next export completes, byte for byte."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_export import make_publishable
from benchmarks.generate import generate_library
from newsdesk.export.manifest import read_record
from newsdesk.library import Library
from tests.export.stories import REPO, files_of, leftovers, run_newsdesk, without_manifest
from tests.processes import descendants, survivors_after

ARTICLES = 200


def start_export(library: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "--library", str(library), "export", "--all"]
        + ["--out", str(out)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """kill -9 the export (and its worker processes) after seconds; False if it finished first."""
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def manifest_without_times(site: Path) -> dict:
    manifest = read_record(site)
    manifest["files"] = {rel: entry[:2] for rel, entry in manifest["files"].items()}
    # A new random token each export: it ties the folder to the library's export state.
    manifest.pop("state_token", None)
    return manifest


def test_exports_killed_at_random_moments_are_completed_by_the_next(tmp_path):
    lib_dir = tmp_path / "library"
    library = generate_library(lib_dir, ARTICLES, images=3)
    make_publishable(library)
    library.close()
    site = tmp_path / "site"
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    kills: list[float] = []

    # How long a whole export takes here. The first one makes the renditions,
    # which every later export finds in the library's cache: it is the second
    # that times what the exports below take (or they finish before the kill).
    probe = run_newsdesk(
        "--library", str(lib_dir), "export", "--all", "--out", "probe", cwd=tmp_path
    )
    assert probe.returncode == 0, probe.stderr
    started = time.perf_counter()
    probe = run_newsdesk(
        "--library", str(lib_dir), "export", "--all", "--out", "probe-2", cwd=tmp_path
    )
    assert probe.returncode == 0, probe.stderr
    whole = time.perf_counter() - started
    # The moments are drawn from the first three quarters of that time: an export
    # under a lighter load than the probe's can finish sooner than the probe did.
    latest = max(0.6, 0.75 * whole)

    # The very first export into the folder is killed...
    moment = rng.uniform(0.5, latest)
    if kill_after(start_export(lib_dir, site), moment):
        kills.append(moment)
    # ...and the next one completes it; then the user adds their own files.
    done = run_newsdesk(
        "--library", str(lib_dir), "export", "--all", "--out", str(site), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    (site / "CNAME").write_text("news.example.org\n")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/main\n")

    for round_ in range(3):
        library = Library.open(lib_dir)
        # Every page changes (the publication's name is on each), and stories come and go.
        library.update_publication(name=f"The Harbour Gazette, edition {round_}")
        for summary in rng.sample(library.list_articles(), 6):
            status = "draft" if summary.status == "published" else "published"
            library.update_article(library.find_article(summary.slug).id, status=status)
        make_publishable(library)  # a story published now gets its picture too
        library.close()
        moment = rng.uniform(0.5, latest)
        if kill_after(start_export(lib_dir, site), moment):
            kills.append(moment)

    final = run_newsdesk(
        "--library", str(lib_dir), "export", "--all", "--out", str(site), cwd=tmp_path
    )
    assert final.returncode == 0, final.stderr
    fresh = run_newsdesk(
        "--library", str(lib_dir), "export", "--all", "--out", "fresh", cwd=tmp_path
    )
    assert fresh.returncode == 0, fresh.stderr

    where = f"(random seed {seed}, killed after {[round(k, 2) for k in kills]} s)"
    assert len(kills) >= 2, f"the exports finished before they could be killed {where}"
    assert leftovers(tmp_path) == [], where
    assert (site / "CNAME").read_text() == "news.example.org\n"
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    ours = without_manifest(files_of(site))
    del ours["CNAME"], ours[".git/HEAD"]
    theirs = without_manifest(files_of(tmp_path / "fresh"))
    assert ours.keys() == theirs.keys(), where
    assert [rel for rel in ours if ours[rel] != theirs[rel]] == [], where
    assert manifest_without_times(site) == manifest_without_times(tmp_path / "fresh"), where


@pytest.fixture(scope="module")
def busy_library(tmp_path_factory) -> Path:
    """A library whose export runs long enough, on worker processes, to be stopped midway."""
    lib_dir = tmp_path_factory.mktemp("stopped") / "library"
    library = generate_library(lib_dir, ARTICLES, images=3)
    make_publishable(library)
    library.close()
    # Renditions made once: the exports below spend their time rendering pages.
    first = run_newsdesk(
        "--library", str(lib_dir), "export", "--all", "--out", "first", cwd=lib_dir.parent
    )
    assert first.returncode == 0, first.stderr
    return lib_dir


def _export_with_workers(lib_dir: Path, out: Path) -> tuple[subprocess.Popen, set[int]]:
    """Start an export (in this test's process group) and wait until its workers run."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "--library", str(lib_dir), "export", "--all"]
        + ["--out", str(out)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        below = descendants(proc.pid)
        # The fork server's children are the workers: the pool is at work.
        if any(descendants(p) for p in below):
            return proc, below | {w for p in below for w in descendants(p)}
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the export never started its worker processes: {proc.stderr.read()}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_an_export_stopped_midway_leaves_no_process_behind_and_the_next_completes_it(
    busy_library, tmp_path, how
):
    site = tmp_path / "site"
    proc, processes = _export_with_workers(busy_library, site)
    try:
        os.kill(proc.pid, getattr(signal, how))  # the export alone, as a service manager does
        proc.wait(timeout=60)
        stderr = proc.stderr.read()
        assert survivors_after(processes, 5) == [], f"outlived the export stopped by {how}"
    finally:
        for pid in [proc.pid, *processes]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if how == "SIGTERM":
        assert proc.returncode == 143
        assert "Traceback" not in stderr
        assert stderr.strip().startswith("newsdesk: stopped before finishing"), stderr
        assert len(stderr.strip().splitlines()) == 1, stderr
    done = run_newsdesk(
        "--library", str(busy_library), "export", "--all", "--out", str(site), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert leftovers(tmp_path) == []
