"""WordPress's REST API, as newsdesk speaks it: discovery, requests, and every failure in one sentence.

Plain urllib (no dependency): JSON in and out, pictures uploaded as raw
bodies. Authentication is an application password (HTTP Basic), which this
module holds only for the life of the client; it is never written anywhere.
"""

from __future__ import annotations

import html
import http.client
import ipaddress
import json
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from typing import Any

TIMEOUT = 120  # seconds: a large picture on a slow uplink
_LINK_API = re.compile(r'<([^>]+)>\s*;\s*rel="https://api\.w\.org/"')
_TAGS = re.compile(r"<[^>]+>")


class WordPressError(Exception):
    """Publishing could not run (address, password, network, a refusal): one sentence.

    `code` and `data` are WordPress's own error code and data, when it sent them.
    """

    def __init__(self, message: str, *, code: str = "", data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data if isinstance(data, dict) else {}


class NotFoundOnSite(WordPressError):
    """The item asked for is not on the site (a post deleted in WordPress)."""


def clean_site_url(value: str) -> str:
    """The site's address as typed, checked: http(s), a host, ending in '/'.

    Plain http is refused except on this machine: the application password
    would cross the network readable by anyone on the way.
    """
    url = (value or "").strip()
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise WordPressError(
            f"The WordPress address {url!r} must start with https:// and a host, "
            "such as https://news.example.org/."
        )
    if parts.username or parts.password or any(c.isspace() for c in url):
        raise WordPressError(
            f"The WordPress address {url!r} may not contain spaces or a user name; "
            "give the user with --user."
        )
    if parts.scheme.lower() == "http" and not _is_loopback(host):
        raise WordPressError(
            f"The WordPress address {url!r} uses http://, which would send the application "
            "password unencrypted; use the site's https:// address."
        )
    url = urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, "", ""))
    return url if url.endswith("/") else url + "/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _GuardedRedirect(urllib.request.HTTPRedirectHandler):
    """Follow a redirect, but never carry the password to another host or over plain http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        old, to = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(new.full_url)
        downgraded = to.scheme != "https" and not _is_loopback(to.hostname or "")
        if to.netloc != old.netloc or downgraded:
            new.remove_header("Authorization")
        return new


_OPENER = urllib.request.build_opener(_GuardedRedirect)


def _plain(text: str) -> str:
    """A WordPress message without its HTML, on one line."""
    return " ".join(html.unescape(_TAGS.sub("", text or "")).split())


class WordPressAPI:
    """One site, one user: REST calls that return JSON or raise WordPressError."""

    def __init__(self, site: str, user: str, password: str) -> None:
        self.site = clean_site_url(site)
        self.user = user
        token = b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._auth = f"Basic {token}"
        self._root: str | None = None

    # ---- the API root ---------------------------------------------------
    @property
    def root(self) -> str:
        """The REST API's root: from the site's Link header, else /wp-json/."""
        if self._root is None:
            self._root = self._discover()
        return self._root

    def _discover(self) -> str:
        """Asked without the password: the site's home page names its API root in a Link header."""
        headers = {k: v for k, v in self._headers().items() if k != "Authorization"}
        req = urllib.request.Request(self.site, method="HEAD", headers=headers)
        try:
            with self._open(req) as resp:
                links = resp.headers.get_all("Link") or []
        except urllib.error.HTTPError as exc:
            links = (exc.headers.get_all("Link") or []) if exc.headers else []
        root = urllib.parse.urljoin(self.site, "wp-json/")
        for link in links:
            m = _LINK_API.search(link)
            if m:
                root = urllib.parse.urljoin(self.site, m.group(1))
                break
        parts = urllib.parse.urlsplit(root)
        if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            raise WordPressError(
                f"{self.site} says its REST API is at {root}, which would send the application "
                "password unencrypted; ask the site's administrator to give WordPress its "
                "https:// address."
            )
        return root

    def url(self, route: str, query: dict[str, Any] | None = None) -> str:
        """The address of a route such as 'wp/v2/posts', with its query."""
        root = self.root
        qs = urllib.parse.urlencode(query or {}, doseq=True)
        if "rest_route=" in root:  # the site has no pretty permalinks: ?rest_route=/wp/v2/...
            address = root + route
            return address + (f"&{qs}" if qs else "")
        return root + route + (f"?{qs}" if qs else "")

    # ---- requests -------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        from newsdesk import __version__

        return {"Authorization": self._auth, "User-Agent": f"newsdesk/{__version__}"}

    def get(self, route: str, **query: Any) -> Any:
        return self.call("GET", route, query=query)

    def post(self, route: str, data: dict[str, Any]) -> Any:
        return self.call("POST", route, data=data)

    def call(
        self,
        method: str,
        route: str,
        *,
        query: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = self._headers()
        if data is not None:
            body = json.dumps(data).encode("utf-8")
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        all_headers.update(headers or {})
        req = urllib.request.Request(
            self.url(route, query), data=body, method=method, headers=all_headers
        )
        try:
            with self._open(req) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc, route) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise WordPressError(
                f"The address {self.site} did not answer as a WordPress site; check the site's "
                "address (the one readers open, such as https://news.example.org/)."
            ) from None

    def _open(self, req: urllib.request.Request):
        """urlopen, with network and TLS failures turned into one sentence."""
        try:
            return _OPENER.open(req, timeout=TIMEOUT)
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as exc:
            raise self._unreachable(exc.reason) from None
        except (TimeoutError, ConnectionError, ssl.SSLError) as exc:
            raise self._unreachable(exc) from None
        except (ValueError, http.client.HTTPException):
            raise WordPressError(
                f"The site at {self.site} did not answer as a web server; check the site's address."
            ) from None

    def _unreachable(self, reason: object) -> WordPressError:
        if isinstance(reason, ssl.SSLCertVerificationError):
            detail = reason.verify_message or "the certificate was not accepted"
            return WordPressError(
                f"The site at {self.site} could not be trusted ({detail}); check the address, "
                "or ask the site's administrator to fix its TLS certificate."
            )
        if isinstance(reason, ssl.SSLError):
            return WordPressError(
                f"A secure (TLS) connection to {self.site} failed; check that the address is "
                "the site's https:// address."
            )
        if isinstance(reason, socket.gaierror):
            return WordPressError(
                f"The site's host in {self.site} was not found; check the address and your "
                "connection."
            )
        if isinstance(reason, TimeoutError):
            return WordPressError(
                f"The site at {self.site} did not answer in {TIMEOUT} seconds; try again later."
            )
        text = getattr(reason, "strerror", None) or str(reason)
        return WordPressError(
            f"The site at {self.site} could not be reached ({text}); check the address and "
            "your connection."
        )

    def _refusal(self, exc: urllib.error.HTTPError, route: str) -> WordPressError:
        """WordPress's answer to a refused request, as one sentence with its code and data."""
        try:
            payload = json.loads(exc.read() or b"{}")
        except (ValueError, OSError):
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        code = str(payload.get("code", ""))
        error = self._refusal_sentence(exc, code, _plain(str(payload.get("message", ""))))
        error.code = code
        data = payload.get("data")
        error.data = data if isinstance(data, dict) else {}
        return error

    def _refusal_sentence(
        self, exc: urllib.error.HTTPError, code: str, message: str
    ) -> WordPressError:
        # WordPress 6.1 answers a wrong user or password with rest_not_logged_in, as it
        # does a request whose Authorization header a web server dropped: one sentence for both.
        if exc.code == 401 or code in ("incorrect_password", "invalid_username", "invalid_email"):
            if code == "application_passwords_disabled":
                return WordPressError(
                    f"{self.site} has application passwords turned off; ask the site's "
                    "administrator to allow them (they need https)."
                )
            return WordPressError(
                f"WordPress at {self.site} refused the user name {self.user!r} or its "
                "application password; check both (when they are right, the site's web server "
                "may be dropping the Authorization header)."
            )
        if exc.code == 403:
            return WordPressError(
                f"The WordPress user {self.user} may not do this on {self.site} "
                f"({message or code}); ask the site's administrator for the Editor role."
            )
        if exc.code == 404 and code == "rest_no_route":
            return WordPressError(
                f"{self.site} has no WordPress REST API at {self.root}; check the site's address."
            )
        if exc.code == 404 and code:
            return NotFoundOnSite(message or code)
        if exc.code == 404:
            return WordPressError(
                f"The address {self.site} did not answer as a WordPress site; check the "
                "site's address."
            )
        if exc.code == 413:
            return WordPressError(
                f"{self.site} refused a picture as too large; ask the site's administrator to "
                "raise the upload limit."
            )
        detail = message or code or exc.reason
        return WordPressError(
            f"WordPress at {self.site} refused the request ({exc.code}: {detail})."
        )
