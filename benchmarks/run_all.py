"""`make bench`: run every benchmark script in turn and print their figures (medians, p95)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "bench_search.py",
    "bench_lists.py",
    "bench_related.py",
    "bench_images.py",
    "bench_import_ui.py",
    "bench_preview.py",
    "bench_startup.py",
    "bench_export.py",
    "bench_hugo.py",
    "bench_render.py",
    "bench_spell.py",
    "bench_photodesk.py",
    "bench_bulk.py",
]
# Arguments some scripts are run with: the preview on both platforms (offscreen, then a
# private X server with keys sent through it).
ARGS = {"bench_preview.py": ["--both"]}


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    failed = []
    for name in ORDER:
        script = HERE / name
        if wanted and not any(w in name for w in wanted):
            continue
        if not script.exists():
            print(f"## {name}: not present", flush=True)
            continue
        print(f"## {name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(
            [sys.executable, str(script), *ARGS.get(name, [])], env=env, cwd=HERE.parent
        )
        print(f"## {name} finished in {time.perf_counter() - t0:.0f} s (exit {rc})", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print("benchmarks that failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
