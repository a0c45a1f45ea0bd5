"""The checking harness itself: it must fail on bad pages and pass on good ones.

If these pass, an export test that reports zero vnu errors, zero axe violations
and zero off-machine requests means something.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.checkers import (
    AXE_JS,
    VNU_JAR,
    CheckerMissing,
    NetworkGuard,
    axe_violations,
    chromium_path,
    external_requests,
    format_axe_violations,
    format_vnu_errors,
    new_page,
    page_url,
    screenshot,
    vnu_errors,
)

GOOD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harbour reopens after storm - The Gazette</title>
<style>
  body { font-family: "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff;
         max-width: 40rem; margin: 0 auto; padding: 1rem; }
  a { color: #0b57d0; }
  figcaption { color: #444; }
</style>
</head>
<body>
<header><p><a href="index.html">The Gazette</a></p></header>
<main>
<article>
<h1>Harbour reopens after storm</h1>
<p>Boats returned to the quay on Tuesday morning.</p>
<p>By Ana Lima · <time datetime="2024-05-07T09:30:00+01:00">7 May 2024</time> · 2 min read</p>
<figure>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==" alt="Fishing boats moored at the quay" width="1" height="1">
<figcaption>Boats at the quay. <small>Photo: Ana Lima</small></figcaption>
</figure>
<h2>What happened</h2>
<p>The storm closed the harbour for three days.</p>
</article>
<aside aria-labelledby="related"><h2 id="related">Related stories</h2>
<ul><li><a href="storm-warning.html">Storm warning issued</a></li></ul></aside>
</main>
<footer><p>The Gazette</p></footer>
</body>
</html>
"""

# An <img> without alt, a duplicate id, and an element left open.
BAD = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
<main>
<h1 id="top">Broken page</h1>
<p id="top">Same id twice.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==" width="1" height="1">
<div><span>never closed
</main>
</body>
</html>
"""

LEAKY = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Leaky</title></head>
<body><main><h1>Leaky</h1>
<img src="http://example.invalid/x.png" alt="A tracker pixel" width="1" height="1">
</main></body>
</html>
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("checker pages")  # a space: file:// URLs must be quoted
    out = {}
    for name, html in (("good", GOOD), ("bad", BAD), ("leaky", LEAKY)):
        p = d / f"{name}.html"
        p.write_text(html, encoding="utf-8")
        out[name] = p
    return out


def test_tools_installed() -> None:
    assert VNU_JAR.is_file()
    assert AXE_JS.is_file()
    assert chromium_path().is_file()


def test_vnu_passes_good_and_fails_bad_in_one_run(pages: dict[str, Path]) -> None:
    errors = vnu_errors([pages["good"], pages["bad"]])
    by_file: dict[str, list[dict]] = {}
    for e in errors:
        by_file.setdefault(Path(e["file"]).name, []).append(e)

    assert "good.html" not in by_file, format_vnu_errors(by_file["good.html"])
    bad = by_file.get("bad.html", [])
    text = format_vnu_errors(bad)
    assert any("alt" in e["message"] for e in bad), text
    assert any("Duplicate ID" in e["message"] for e in bad), text
    assert any(
        "Unclosed element" in e["message"] or "open elements" in e["message"] for e in bad
    ), text
    assert all(isinstance(e["line"], int) and e["line"] > 0 for e in bad), text
    assert all(Path(e["file"]) == pages["bad"].resolve() for e in bad)


def test_vnu_missing_jar_is_a_failure_not_a_skip(
    pages: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tests.checkers as checkers

    monkeypatch.setattr(checkers, "VNU_JAR", tmp_path / "nope.jar")
    with pytest.raises(CheckerMissing, match="npm ci"):
        checkers.vnu_errors([pages["good"]])


def test_chromium_missing_names_apt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDESK_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(CheckerMissing, match="apt-get install -y chromium"):
        chromium_path()


def test_axe_passes_good_page(pages: dict[str, Path], browser) -> None:
    violations = axe_violations(pages["good"], browser=browser)
    assert violations == [], format_axe_violations(violations)


def test_axe_reports_image_without_alt(pages: dict[str, Path], browser) -> None:
    violations = axe_violations(pages["bad"], browser=browser)
    ids = {v["id"] for v in violations}
    assert "image-alt" in ids, format_axe_violations(violations)
    image_alt = next(v for v in violations if v["id"] == "image-alt")
    assert image_alt["impact"] == "critical"
    assert image_alt["nodes"] and image_alt["nodes"][0]["target"] == ["img"]


def test_network_guard_catches_external_image(pages: dict[str, Path], browser) -> None:
    assert external_requests(pages["leaky"], browser=browser) == ["http://example.invalid/x.png"]
    assert external_requests(pages["good"], browser=browser) == []


def test_network_guard_on_a_page_you_drive(pages: dict[str, Path], browser) -> None:
    page = new_page(browser)
    try:
        guard = NetworkGuard.attach(page)
        page.goto(page_url(pages["leaky"]))
        page.evaluate("() => fetch('https://example.invalid/beacon').catch(() => null)")
        assert guard.requests == [
            "http://example.invalid/x.png",
            "https://example.invalid/beacon",
        ]
    finally:
        page.context.close()


def test_screenshot_full_page(pages: dict[str, Path], browser, tmp_path: Path) -> None:
    out = screenshot(pages["good"], tmp_path / "shots" / "good.png", browser=browser, height=300)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width == 1280
    assert height > 300  # full page, not just the viewport


def test_a_browser_that_died_is_started_again_for_the_next_test(_chromium) -> None:
    _chromium.browser.close()  # as if killed under a loaded machine
    restarts = _chromium.restarts
    browser = _chromium.connected()
    assert _chromium.restarts == restarts + 1
    page = browser.new_page()
    page.set_content("<title>back</title>")
    assert page.title() == "back"
    page.close()
