"""Sites that are not a usable WordPress: an untrusted certificate, no TLS, another kind of site.

Real servers on loopback (Python's own, with a certificate made by openssl), no mocks:
each failure is one sentence on stderr and exit 2, and nothing is recorded.
"""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from contextlib import contextmanager

import pytest

from tests.publish.stories import run_newsdesk


class _PlainSite(http.server.BaseHTTPRequestHandler):
    """A web site that is not WordPress: a page at every address."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>Shop</title><p>Not a newsroom.</p>"
        self.send_response(404 if "rest_route" in self.path or "wp-json" in self.path else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@contextmanager
def _serve(tls_context=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PlainSite)
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def self_signed(tmp_path):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test certificate (apt-get install openssl)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _publish_to(library, url, tmp_path):
    article = library.create_article(slug="some-story", headline="Some story")
    done = run_newsdesk(
        "--library",
        str(library.root),
        "publish",
        "wordpress",
        article.slug,
        "--site",
        url,
        "--user",
        "desk",
        password="abcd efgh ijkl mnop",
        cwd=tmp_path,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert library.get_setting("wordpress.site") is None
    return done.stderr


def test_an_untrusted_certificate_is_one_sentence(library, tmp_path, self_signed):
    with _serve(self_signed) as port:
        said = _publish_to(library, f"https://127.0.0.1:{port}/", tmp_path)
    assert "could not be trusted (" in said and "certificate" in said


def test_a_site_without_tls_on_an_https_address_is_one_sentence(library, tmp_path):
    with _serve() as port:
        said = _publish_to(library, f"https://127.0.0.1:{port}/", tmp_path)
    assert "A secure (TLS) connection to https://127.0.0.1" in said


def test_a_site_that_is_not_wordpress_is_one_sentence(library, tmp_path):
    with _serve() as port:
        said = _publish_to(library, f"http://127.0.0.1:{port}/", tmp_path)
    assert "did not answer as a WordPress site; check the site's address" in said


def test_the_password_never_follows_a_redirect_to_another_host():
    from newsdesk.publish.wp_api import WordPressAPI

    seen: list[tuple[str, str, str | None]] = []

    def handler(answer):
        class Recorder(http.server.BaseHTTPRequestHandler):
            def _any(self):
                seen.append(
                    (self.server.server_address[0], self.command, self.headers["Authorization"])
                )
                status, headers, body = answer(self)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _any

            def log_message(self, *args):
                pass

        return Recorder

    other = http.server.ThreadingHTTPServer(
        ("127.0.0.2", 0), handler(lambda h: (200, {"Content-Type": "application/json"}, b"{}"))
    )
    to = f"http://127.0.0.2:{other.server_address[1]}"
    site = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), handler(lambda h: (302, {"Location": to + h.path}, b""))
    )
    servers = [other, site]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = WordPressAPI(f"http://127.0.0.1:{site.server_address[1]}/", "desk", "secret pw")
        assert api.get("wp/v2/users/me") == {}
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert [(host, method) for host, method, _ in seen] == [
        ("127.0.0.1", "HEAD"),  # the API root, asked without the password
        ("127.0.0.2", "GET"),  # (urllib follows a redirected HEAD with a GET)
        ("127.0.0.1", "GET"),
        ("127.0.0.2", "GET"),
    ]
    assert seen[0][2] is None and seen[1][2] is None
    assert seen[2][2] is not None and seen[2][2].startswith("Basic ")  # the site itself
    assert seen[3][2] is None  # ...but not the host it redirected to
