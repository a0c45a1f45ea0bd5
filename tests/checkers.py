"""Checkers that prove an exported page is valid and accessible.

Plain functions, importable from any test (``from tests.checkers import ...``):

* the Nu HTML Checker (npm ``vnu-jar``, run with Java) -- :func:`vnu_errors`;
* axe-core in Debian's Chromium driven by Playwright for Python --
  :func:`launch_chromium`, :func:`axe_violations`, :func:`axe_check_page`;
* full-page screenshots -- :func:`screenshot`;
* a network guard that records (and blocks) every request a page makes that
  does not stay on the page's own files -- :class:`NetworkGuard`.

A missing tool is a failure, never a skip: every entry point raises
:class:`CheckerMissing` naming how to install what is missing. ``make test``
runs ``npm ci`` (vnu-jar, axe-core); ``.ci/run`` installs Chromium and Java.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:  # playwright is a test dependency; vnu users do not need it
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, WebSocket

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")

#: The WCAG levels every exported page must meet.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

#: URL schemes that never leave the machine.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})

_NPM_HINT = "run `make test` (it runs `npm ci --ignore-scripts`) or `npm ci --ignore-scripts`"


class CheckerMissing(RuntimeError):
    """A checking tool is not installed. Tests fail on it; they never skip."""


# --------------------------------------------------------------------------- #
# Nu HTML Checker
# --------------------------------------------------------------------------- #


def _require_vnu() -> str:
    java = shutil.which("java")
    if java is None:
        raise CheckerMissing(
            "Java is not installed, so the Nu HTML Checker cannot run: "
            "apt-get install -y default-jre-headless  (or run .ci/run)"
        )
    if not VNU_JAR.is_file():
        raise CheckerMissing(f"The Nu HTML Checker is missing at {VNU_JAR}: {_NPM_HINT}")
    return java


def _path_from_vnu_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return url


def vnu_messages(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    """Run vnu once over every file; return all its messages (errors, warnings, info).

    Each message is vnu's JSON message with ``file`` (a path string) added.
    HTML files are checked as HTML, ``.css`` as CSS, ``.svg`` as SVG.
    """
    files = [str(Path(p).resolve()) for p in paths]
    if not files:
        return []
    java = _require_vnu()
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise FileNotFoundError(f"vnu: no such file(s): {missing}")
    cmd = [
        java,
        "-Xss4m",  # the default stack overflows on deeply nested documents
        "-jar",
        str(VNU_JAR),
        "--format",
        "json",
        "--stdout",
        "--exit-zero-always",
        "--no-langdetect",
        *files,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"vnu crashed (exit {proc.returncode}):\n{proc.stderr}{proc.stdout}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"vnu printed something that is not JSON:\n{proc.stdout[:2000]}"
        ) from exc
    messages = report.get("messages", [])
    for m in messages:
        m["file"] = _path_from_vnu_url(m.get("url", ""))
    return messages


def vnu_errors(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    """Run vnu once over every file; return only the errors.

    Warnings and info messages are not failures. An error is a message of type
    ``error`` (including fatal parse errors) or ``non-document-error`` (vnu
    could not read the file). Each dict has ``file``, ``line`` (the last line of
    the offending range, or ``None``), ``column``, ``message``, ``extract``.
    """
    out = []
    for m in vnu_messages(paths):
        if m.get("type") not in ("error", "non-document-error"):
            continue
        out.append(
            {
                "file": m["file"],
                "line": m.get("lastLine", m.get("firstLine")),
                "column": m.get("firstColumn"),
                "message": m.get("message", ""),
                "extract": m.get("extract", ""),
                "type": m.get("type"),
                "subType": m.get("subType"),
            }
        )
    return out


def format_vnu_errors(errors: list[dict[str, Any]]) -> str:
    """One line per error, for assertion messages: ``file:line:col: message``."""
    return "\n".join(f"{e['file']}:{e['line']}:{e['column']}: {e['message']}" for e in errors)


# --------------------------------------------------------------------------- #
# Chromium through Playwright
# --------------------------------------------------------------------------- #


def chromium_path() -> Path:
    """Debian's Chromium, or ``$NEWSDESK_CHROMIUM``. Never Playwright's own download."""
    path = Path(os.environ.get("NEWSDESK_CHROMIUM") or DEFAULT_CHROMIUM)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise CheckerMissing(
            f"Chromium is not installed at {path}: apt-get install -y chromium "
            "(or run .ci/run; set NEWSDESK_CHROMIUM to use another build)"
        )
    return path


def launch_chromium(playwright: Playwright, **kwargs: Any) -> Browser:
    """Launch headless Debian Chromium with the flags that keep it quiet and offline."""
    return playwright.chromium.launch(
        executable_path=str(chromium_path()),
        headless=True,
        args=list(CHROMIUM_ARGS),
        **kwargs,
    )


def page_url(path_or_url: Path | str) -> str:
    """A URL for a page: ``http(s)://``, ``file://``, ``data:`` pass through; paths become file://."""
    if isinstance(path_or_url, str) and urlparse(path_or_url).scheme in (
        "http",
        "https",
        "file",
        "data",
        "about",
    ):
        return path_or_url
    return Path(path_or_url).resolve().as_uri()


def new_page(browser: Browser, *, width: int = 1280, height: int = 800) -> Page:
    """A page in a fresh context (CSP bypassed so axe can be injected).

    Close it with ``page.context.close()``.
    """
    context = browser.new_context(
        viewport={"width": width, "height": height},
        bypass_csp=True,
        service_workers="block",
    )
    return context.new_page()


class NetworkGuard:
    """Records every request a page makes that leaves the machine.

    Anything not ``file:``, ``data:``, ``blob:`` or ``about:`` is recorded in
    :attr:`requests` (URLs, in order) and, with ``block=True`` (the default),
    aborted so tests stay hermetic and fast. Attach it before navigating::

        guard = NetworkGuard.attach(page)
        page.goto(url)
        assert guard.requests == []
    """

    def __init__(self, *, block: bool = True) -> None:
        self.block = block
        self.requests: list[str] = []

    @classmethod
    def attach(cls, page_or_context: Page | BrowserContext, *, block: bool = True) -> NetworkGuard:
        guard = cls(block=block)
        context = getattr(page_or_context, "context", page_or_context)
        # The context sees requests from every page, frame and popup it holds.
        context.on("request", guard._on_request)
        for page in context.pages:
            page.on("websocket", guard._on_websocket)
        context.on("page", lambda p: p.on("websocket", guard._on_websocket))
        if block:
            context.route(lambda url: not is_local_url(url), lambda route: route.abort())
        return guard

    def _record(self, url: str) -> None:
        if not is_local_url(url):
            self.requests.append(url)

    def _on_request(self, request: Request) -> None:
        self._record(request.url)

    def _on_websocket(self, ws: WebSocket) -> None:
        self._record(ws.url)


def is_local_url(url: str) -> bool:
    """True for URLs that never leave the machine (file:, data:, blob:, about:)."""
    return urlparse(url).scheme in LOCAL_SCHEMES


def external_requests(path_or_url: Path | str, *, browser: Browser) -> list[str]:
    """Load a page (blocking the network) and return every URL it tried to fetch off-machine."""
    page = new_page(browser)
    try:
        guard = NetworkGuard.attach(page)
        page.goto(page_url(path_or_url), wait_until="load")
        page.wait_for_load_state("networkidle")
        return list(guard.requests)
    finally:
        page.context.close()


# --------------------------------------------------------------------------- #
# axe-core
# --------------------------------------------------------------------------- #


def _axe_source() -> str:
    if not AXE_JS.is_file():
        raise CheckerMissing(f"axe-core is missing at {AXE_JS}: {_NPM_HINT}")
    return AXE_JS.read_text(encoding="utf-8")


def axe_check_page(page: Page, *, tags: Iterable[str] = AXE_TAGS) -> list[dict[str, Any]]:
    """Run axe-core on an already loaded page; return its violations.

    Each violation: ``id``, ``impact``, ``help``, ``helpUrl``, and ``nodes`` --
    a list of ``{"target": [...css selectors...], "html": ...}``.
    """
    page.add_script_tag(content=_axe_source())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v.get("help", ""),
            "helpUrl": v.get("helpUrl", ""),
            "nodes": [
                {"target": n.get("target", []), "html": n.get("html", "")} for n in v["nodes"]
            ],
        }
        for v in result["violations"]
    ]


def axe_violations(
    page_url_or_path: Path | str,
    *,
    browser: Browser,
    tags: Iterable[str] = AXE_TAGS,
    width: int = 1280,
    height: int = 800,
) -> list[dict[str, Any]]:
    """Load a file:// or http page in a fresh context and return axe-core's WCAG violations.

    Off-machine requests are blocked (not asserted -- use :class:`NetworkGuard`).
    """
    _axe_source()  # fail early with the install hint
    page = new_page(browser, width=width, height=height)
    try:
        NetworkGuard.attach(page)
        page.goto(page_url(page_url_or_path), wait_until="load")
        return axe_check_page(page, tags=tags)
    finally:
        page.context.close()


def format_axe_violations(violations: list[dict[str, Any]]) -> str:
    """Readable summary for assertion messages."""
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} -> {targets}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- #
# Screenshots
# --------------------------------------------------------------------------- #


def screenshot(
    path_or_url: Path | str,
    out_png: Path | str,
    *,
    browser: Browser,
    width: int = 1280,
    height: int = 800,
) -> Path:
    """Render a page full-length to ``out_png`` (the viewport is width x height).

    Waits for web fonts; off-machine requests are blocked.
    """
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, width=width, height=height)
    try:
        NetworkGuard.attach(page)
        page.goto(page_url(path_or_url), wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.screenshot(path=str(out), full_page=True)
    finally:
        page.context.close()
    return out
