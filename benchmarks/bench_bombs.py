"""Markdown bombs: processor time per hostile shape and size, with the render limits and without them.

Run from the repository root: `python benchmarks/bench_bombs.py [--sizes 10000,300000]
[--unbounded] [--timeout 40] [SHAPE...]`. Each shape (benchmarks/bombs.py) is made
at each size and measured in a child process of its own, so one that runs away is
stopped at the timeout and reported as such. A line gives the blocks the limits
refused, the processor time the measures took and the processor time of the
whole render (refused blocks cost only their measure; blocks let through are
converted in the process, not in the deadline's child, so their time is counted).
`--unbounded` switches the limits off: what Python-Markdown itself costs, as the
"before" column of the shapes the limits now refuse.

Figures on a busy 2-core machine (load 9-21), processor seconds, largest block
size reached within the 30-40 s timeout; before = Python-Markdown unbounded
(what the 20 s deadline child spent), after = these limits:

| shape | size | before | after |
|---|---|---|---|
| setext headings `a\\n=` | 30 KB | 7.9 | 0.04 (refused) |
| hash headings | 30 KB | 3.4 | 0.02 (refused) |
| rules `***` | 30 KB | 5.2 | 0.03 (refused) |
| unclosed fences | 30 KB | 2.6 | 0.04 (refused) |
| table header of 10,000 columns | 60 KB | 8.7 | 0.003 (refused) |
| list items `- a` | 100 KB | 11.3 | 0.13 (refused) |
| single quotes | 30 KB | 3.9 | 0.008 (refused) |
| backslashes | 30 KB | 0.6 (80 KB: 1.6) | 0.013 (refused) |
| `*_` pairs | 100 KB | over 40 | 0.04 (refused) |
| backtick runs of growing length | 100 KB | 1.8 (300 KB: over 40) | 0.04 (refused) |
| tabs (a code block of spaces) | 30 KB | over 30 | 0.02 (rendered) |
| same heading in 20,000 blocks | 100 KB | 6.6 (quadratic ids) | linear, 0.3 ms a block |
| footnotes cited by 357 paragraphs | 10 KB | 23 | refused (definitions) |
| preflight of 300 KB of `<![CDATA[` | 300 KB | 39 | 0.05 |
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZES = (10_000, 30_000, 100_000, 300_000)


def measure(name: str, size: int, unbounded: bool) -> dict:
    """One shape at one size, in this process."""
    from benchmarks.bombs import SHAPES
    from newsdesk.render import limits
    from newsdesk.render import markdown as md

    body = SHAPES[name](size)
    md.render_blocks("warm *a*")
    started = time.process_time()
    blocks = md.split_blocks(body)
    refused = sum(limits.check_block(b.text) is not None for b in blocks)
    measured = time.process_time() - started
    if unbounded:
        limits.check_block = lambda text: None
    limits.needs_deadline = lambda text: False  # convert here, where the time is counted
    started = time.process_time()
    md.render_blocks(body)
    rendered = time.process_time() - started
    return {
        "shape": name,
        "size": len(body),
        "blocks": len(blocks),
        "refused": 0 if unbounded else refused,
        "measure_s": round(measured, 4),
        "render_s": round(rendered, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shapes", nargs="*")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--unbounded", action="store_true")
    parser.add_argument("--timeout", type=float, default=40.0)
    parser.add_argument("--child", nargs=2, metavar=("SHAPE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), args.unbounded)))
        return
    from benchmarks.bombs import SHAPES

    unknown = [name for name in args.shapes if name not in SHAPES]
    if unknown:
        parser.error(f"no shape named {', '.join(unknown)}; the shapes are in benchmarks/bombs.py")
    with open("/proc/loadavg") as f:
        print(f"load {f.read().split()[0]}", flush=True)
    for name in args.shapes or list(SHAPES):
        for size in (int(s) for s in args.sizes.split(",")):
            cmd = [sys.executable, __file__, "--child", name, str(size)]
            if args.unbounded:
                cmd.append("--unbounded")
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
                r = json.loads(done.stdout)
            except subprocess.TimeoutExpired:
                print(f"{name:36} {size:>8,}  over {args.timeout:.0f} s", flush=True)
                break  # larger sizes only take longer
            except ValueError:
                print(f"{name:36} {size:>8,}  failed: {done.stderr.strip()[-200:]}", flush=True)
                break
            print(
                f"{name:36} {r['size']:>8,}  blocks {r['blocks']:>6} refused {r['refused']:>6}  "
                f"measure {r['measure_s']:7.3f} s  render {r['render_s']:7.3f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
