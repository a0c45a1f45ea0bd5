"""Export of a 1,000-article site with images: cold, and again after editing one article."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import cached_library  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_EXPORT_ARTICLES", "1000"))
IMAGES = 60
COLD_BUDGET = 8.0
EDIT_BUDGET = 1.0
EDITS = 5


def make_publishable(library) -> None:
    """Give every published story a hero and a dek that fits, so all of them pass preflight.

    The generated library is made for search (a third of the stories have no
    picture, many deks run long); an export benchmark should publish them all.
    """
    from sqlalchemy import text

    with library.engine.begin() as conn:
        images = [r[0] for r in conn.execute(text("SELECT id FROM images ORDER BY id"))]
        bare = conn.execute(
            text(
                "SELECT id FROM articles WHERE status = 'published' AND id NOT IN "
                "(SELECT article_id FROM figures WHERE role = 'hero')"
            )
        ).fetchall()
        for n, (article_id,) in enumerate(bare):
            conn.execute(
                text(
                    "INSERT INTO figures (uid, article_id, image_id, role, position, caption, "
                    "alt_text, created_at, updated_at) VALUES (lower(hex(randomblob(16))), :a, :i,"
                    " 'hero', 0, '', 'A scene from the archive', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"a": article_id, "i": images[n % len(images)]},
            )
        # Preflight wants each story's own alt text on its hero.
        conn.execute(
            text("UPDATE figures SET alt_text = 'A photograph of the scene' WHERE alt_text = ''")
        )
        conn.execute(
            text("UPDATE articles SET dek = substr(dek, 1, 150) || '.' WHERE length(dek) > 160")
        )


def record_per_edit(stories: int, repeat: int = 3) -> tuple[float, float, float, int]:
    """What the folder's record costs one edit at this many stories: the JSON manifest of
    earlier versions (read whole, rewritten whole) against the SQLite record (the rows the
    edit reads and writes). Rows shaped and counted as a real site's (0.85 pages, 0.55
    listing pages and feeds per story, 60 pictures' renditions).

    Returns (JSON seconds, SQLite seconds, SQLite processor seconds, JSON bytes), medians.
    """
    import json
    import secrets

    from newsdesk.export.fileops import fsync_all as _fsync_all
    from newsdesk.export.manifest import LEGACY_NAME, LEGACY_VERSION, PARTS, Record

    work = Path(tempfile.mkdtemp(prefix="bench-record-"))
    try:
        pages = int(stories * 0.85)
        listing = int(stories * 0.55)
        h = secrets.token_hex(32)
        files = {
            f"assets/img/{i:04x}{h[:12]}-{w}.jpg": [h, 40_000, 1_795_000_000_000_000_000]
            for i in range(60)
            for w in range(20)
        }
        files |= {
            f"news/story-{i}/index.html": [h, 30_000, 1_795_000_000_000_000_000 + i]
            for i in range(pages)
        }
        files |= {
            f"tag/t{i}/page/{i}/index.html": [h, 9_000, 1_795_000_000_000_000_000]
            for i in range(listing)
        }
        manifest = {
            "version": LEGACY_VERSION,
            "files": files,
            "articles": {
                f"{i:08x}-uid": {"fp": h, "page": f"news/story-{i}", "pfp": h} for i in range(pages)
            },
            "failed": {},
            "inputs": {f"tag/t{i}/page/{i}/index.html": h for i in range(listing)},
            "renditions": {
                f"{i:032x}": [[f"{i:04x}-{w}.jpg", 480, 320, "jpeg"] for w in range(16)]
                for i in range(120)
            },
            "state_token": "x",
            "listing_pages": [
                [[2, f"t{i}", i], f"tag/t{i}/page/{i}/", 1, "tag"] for i in range(listing)
            ],
        }
        site = work / "site"
        site.mkdir()
        data = json.dumps(manifest, separators=(",", ":")).encode()
        (site / LEGACY_NAME).write_bytes(data)
        touched = [f"news/story-{i}/index.html" for i in range(0, pages, max(1, pages // 3))]

        json_times = []
        for _ in range(repeat):
            t = time.perf_counter()
            m = json.loads((site / LEGACY_NAME).read_text(encoding="utf-8"))
            for rel in touched:
                m["files"][rel] = [h, 31_000, 1]
            tmp = site / ".m.tmp"
            tmp.write_bytes(json.dumps(m, separators=(",", ":")).encode())
            _fsync_all([tmp], True)
            os.replace(tmp, site / LEGACY_NAME)
            json_times.append(time.perf_counter() - t)

        record = Record(site)  # the legacy JSON, written as the SQLite record once
        record.write_new(site / ".store.tmp", "x", {p: record.parts[p] for p in PARTS})
        record.close()
        os.replace(site / ".store.tmp", site / ".newsdesk-manifest.sqlite")
        os.unlink(site / LEGACY_NAME)
        sql_times, sql_cpu = [], []
        for k in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            record = Record(site)
            files_part = record.part("files")
            for rel in touched:
                assert files_part.get(rel) is not None
                files_part[rel] = [h, 31_000 + k, 1]
            record.begin_update(secrets.token_hex(8), {"files": files_part}, len(files))
            record.commit_update()
            record.close()
            sql_times.append(time.perf_counter() - t)
            sql_cpu.append(time.process_time() - c)
        return (
            statistics.median(json_times),
            statistics.median(sql_times),
            statistics.median(sql_cpu),
            len(data),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_memory(lib_dir: Path, site: Path) -> tuple[float, float, float, float]:
    """A full export by the command line into an empty folder: (wall s, processor s of the
    main process, peak MiB of the main process, peak MiB of all its processes together).

    The main process's peak is its own high-water mark (VmHWM, exact); all processes' is
    sampled every 20 ms (workers are started by a fork server, so waiting would miss them).
    """
    from benchmarks.bench_startup import _kib, process_tree

    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "newsdesk", "--library", str(lib_dir), "export", "--all"]
    cmd += ["--out", str(site)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    main_peak = all_peak = 0
    while proc.poll() is None:
        main_peak = max(main_peak, _kib(f"/proc/{proc.pid}/status", "VmHWM"))
        tree = process_tree(proc.pid)
        all_peak = max(all_peak, sum(_kib(f"/proc/{p}/status", "VmRSS") for p in tree))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"the export failed ({proc.returncode})")
    return wall, cpu, main_peak / 1024, all_peak / 1024


def memory_on(sizes: list[int]) -> int:
    """`python benchmarks/bench_export.py --memory 1000 10000`: peak memory of a full export
    (empty folder, renditions cached) at each library size, every story publishable."""
    from newsdesk.library import Library

    rows = []
    for n in sizes:
        source = cached_library(n, images=IMAGES)
        work = Path(tempfile.mkdtemp(prefix=f"bench-export-memory-{n}-"))
        try:
            lib_dir = work / "library"
            subprocess.run(["cp", "-r", "--reflink=auto", str(source), str(lib_dir)], check=True)
            library = Library.open(lib_dir)
            make_publishable(library)
            library.update_publication(base_url="https://news.example.org/")  # sitemaps too
            stories = len(library.list_articles(status="published", limit=n))
            library.close()
            export_memory(lib_dir, work / "site")  # makes the renditions
            rows.append((n, stories, *export_memory(lib_dir, work / "site")))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"full export into an empty folder, renditions cached (load average {load}):")
    for n, stories, wall, cpu, main_mib, all_mib in rows:
        print(
            f"  {n:>7,} articles ({stories:,} published): {wall:7.1f} s wall, {cpu:6.1f} s "
            f"processor (main), peak memory {main_mib:5.0f} MiB main process, "
            f"{all_mib:5.0f} MiB all processes"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(
            f"  main process at {last[0]:,} / at {first[0]:,}: {last[4] / first[4]:.2f} "
            "(target: within 1.10, memory flat with library size)"
        )
    return 0


def main() -> int:
    from newsdesk.export import export_site
    from newsdesk.export.incremental import publish
    from newsdesk.library import Library

    source = cached_library(ARTICLES, images=IMAGES)
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        # A private copy: the benchmark edits an article and fills the rendition cache.
        lib_dir = work / "library"
        shutil.copytree(source, lib_dir)
        library = Library.open(lib_dir)
        make_publishable(library)
        shutil.rmtree(library.renditions_dir, ignore_errors=True)
        site = work / "site"

        t = time.perf_counter()
        cold = export_site(library, site)
        cold_s = time.perf_counter() - t
        images = len(list((site / "assets" / "img").iterdir()))
        shutil.rmtree(site)

        t = time.perf_counter()
        warm = export_site(library, site)
        warm_s = time.perf_counter() - t

        # Five edits to five different stories; the median is the figure (the
        # machine is shared, so a single run says little). publish() is what
        # `export --all` runs: only what the edit touches is rendered.
        edit_times, edit_cpu, edit = [], [], None
        for k in range(EDITS):
            slug = warm.written[(k + 1) * len(warm.written) // (EDITS + 1)].slug
            target = library.get_article(slug)
            library.update_article(target.id, body=target.body + f"\n\nCorrection number {k}.")
            t, c = time.perf_counter(), time.process_time()
            edit = publish(library, site)
            edit_times.append(time.perf_counter() - t)
            edit_cpu.append(time.process_time() - c)
        edit_s = statistics.median(edit_times)

        t = time.perf_counter()
        same = publish(library, site)
        same_s = time.perf_counter() - t

        # From the command line, start-up included. An installed newsdesk has
        # its modules compiled; a checkout run with PYTHONDONTWRITEBYTECODE
        # compiles every module at every start, so the runs keep their
        # bytecode in a folder of their own (the first run, not timed, fills it).
        cli_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(work / "pyc")}
        cli_env.pop("PYTHONDONTWRITEBYTECODE", None)
        cli = [sys.executable, "-m", "newsdesk", "--library", str(lib_dir), "export", "--all"]
        cli += ["--out", str(site)]
        subprocess.run(cli, check=True, capture_output=True, env=cli_env)
        cli_times, cli_cpu = [], []
        for k in range(EDITS):
            slug = warm.written[(k + 1) * len(warm.written) // (EDITS + 2)].slug
            target = library.get_article(slug)
            library.update_article(target.id, headline=target.headline + f" ({k})")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(cli, check=True, capture_output=True, env=cli_env)
            cli_times.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cli_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        cli_s = statistics.median(cli_times)
        cli_cpu_s = statistics.median(cli_cpu)
        library.close()
        mem_wall, _mem_cpu, mem_main, mem_all = export_memory(lib_dir, work / "site-memory")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print("the folder's record, per edit (read what the edit needs, write what changed):")
    for n in (10_000, 100_000):
        old_s, new_s, new_cpu, size = record_per_edit(n)
        print(
            f"  {n:>7,} stories: JSON manifest ({size / 2**20:.0f} MB) {old_s:6.3f} s; "
            f"SQLite record {new_s:6.3f} s ({new_cpu:.3f} s processor)"
        )
    print(
        f"library: {ARTICLES} articles, {IMAGES} photos (1600x1067), {os.cpu_count()} cores "
        f"(load average {load})"
    )
    print(
        f"pages written: {len(cold.written)}; not exported: {len(cold.failed)} failed preflight, "
        f"{len(cold.skipped)} not public; rendition files: {images}"
    )
    print(f"cold export, renditions made too   : {cold_s:6.2f} s")
    print(f"cold export, renditions cached     : {warm_s:6.2f} s   (budget {COLD_BUDGET:.0f} s)")
    print(
        f"after editing one article (median) : {edit_s:6.2f} s   (budget {EDIT_BUDGET:.0f} s; "
        f"{len(edit.changed_files)} files rewritten, {edit.reused_files} carried over)"
    )
    print("  edit runs: " + ", ".join(f"{x:.2f} s" for x in edit_times))
    print(
        f"  the same, processor time (as the watch mode publishes each save): "
        f"{statistics.median(edit_cpu):.3f} s (median; target 0.3 s)"
    )
    print(
        f"again with nothing changed         : {same_s:6.2f} s   ({len(same.changed_files)} files rewritten)"
    )
    print(
        f"one headline edit, CLI incl. start : {cli_s:6.2f} s   (median; runs: "
        + ", ".join(f"{x:.2f}" for x in cli_times)
        + ")"
    )
    # On a shared machine the wall clock mostly measures waiting for a core;
    # the processor time is what the command itself costs.
    print(
        f"  the same, processor time        : {cli_cpu_s:6.2f} s   (median; runs: "
        + ", ".join(f"{x:.2f}" for x in cli_cpu)
        + ")"
    )
    print(
        f"full export by the CLI, empty folder: {mem_wall:6.2f} s; peak memory {mem_main:.0f} MiB "
        f"main process, {mem_all:.0f} MiB all processes (--memory 1000 10000 compares sizes)"
    )
    ok = warm_s <= COLD_BUDGET and edit_s <= EDIT_BUDGET
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


def edits_on(lib_dir: Path, site: Path, edits: int = EDITS) -> int:
    """One-edit figures on a library already exported to site (a copy: it is edited).

    `python benchmarks/bench_export.py --edits LIBRARY SITE`: for the 10,000 and
    100,000-story sites, whose full export is too long to make in every run.
    """
    from newsdesk.export.incremental import publish
    from newsdesk.library import Library

    library = Library.open(lib_dir)
    stories = [s.slug for s in library.list_articles(status="published", limit=2000)]
    first = publish(library, site)
    print(f"{len(stories)} stories looked at; first publish: {first.mode}, {first.seconds:.2f} s")
    walls, cpus = [], []
    for k in range(edits):
        target = library.get_article(stories[(k * 397) % len(stories)])
        library.update_article(target.id, body=target.body + f"\n\nCorrection number {k}.")
        t, c = time.perf_counter(), time.process_time()
        report = publish(library, site)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        print(
            f"  in-process edit {k}: {report.mode}, {walls[-1]:.3f} s, {cpus[-1]:.3f} s processor,"
            f" {len(report.changed_files)} files, {report.rendered_pages} page(s) rendered"
        )
    library.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(site.parent / "pyc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cli = [sys.executable, "-m", "newsdesk", "--library", str(lib_dir), "export", "--all"]
    cli += ["--out", str(site)]
    subprocess.run(cli, check=True, capture_output=True, env=env)  # compiles the bytecode
    cli_walls, cli_cpus = [], []
    for k in range(edits):
        library = Library.open(lib_dir)
        target = library.get_article(stories[(k * 211 + 5) % len(stories)])
        library.update_article(target.id, headline=target.headline + f" ({k})")
        library.close()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True, env=env)
        cli_walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load}")
    print(
        f"one body edit, in-process (the watch mode): {statistics.median(walls):.3f} s wall, "
        f"{statistics.median(cpus):.3f} s processor (medians of {edits}; target 0.3 s)"
    )
    print(
        f"one headline edit, CLI incl. start-up     : {statistics.median(cli_walls):.3f} s wall, "
        f"{statistics.median(cli_cpus):.3f} s processor (medians of {edits}; target 1 s)"
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory"]:
        sys.exit(memory_on([int(a) for a in sys.argv[2:]] or [1000, 10000]))
    if sys.argv[1:2] == ["--edits"]:
        sys.exit(edits_on(Path(sys.argv[2]), Path(sys.argv[3])))
    sys.exit(main())
