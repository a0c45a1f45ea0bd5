"""A throwaway WordPress site for the tests that publish to one (a pytest plugin).

Debian's `wordpress` package served by PHP's built-in web server on loopback,
over a private MariaDB that listens only on a Unix socket in a temporary
folder. Nothing is mocked: the tests talk to WordPress's real REST API with a
real application password. There is no wp-cli in Debian, so the set-up installs
the site with WordPress's own `wp_install()` and makes the user and the
application password with its PHP functions.

The site folder holds copies of WordPress's top-level PHP files and our own
wp-config.php (Debian's reads /etc/wordpress/config-HOST.php, which would be
shared by every site on 127.0.0.1); wp-admin and wp-includes are links to the
package. `WP_ENVIRONMENT_TYPE` is `local`, so application passwords work over
plain HTTP. One site per test session, stopped and removed at the end; tests
use their own slugs. Where the packages are missing the tests are skipped,
except when NEWSDESK_REQUIRE_WORDPRESS=1 (as in CI): then they fail.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

import pytest

WORDPRESS = Path(os.environ.get("NEWSDESK_WORDPRESS_DIR", "/usr/share/wordpress"))
USER = "desk"
ADMIN = "admin"
# Registered by the site's must-use plugin: a picture's credit as WordPress keeps it.
CREDIT_META = "credit"

_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', 'wordpress');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_CONTENT_URL', '{url}/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
define('AUTH_KEY', 'test'); define('SECURE_AUTH_KEY', 'test'); define('LOGGED_IN_KEY', 'test');
define('NONCE_KEY', 'test'); define('AUTH_SALT', 'test'); define('SECURE_AUTH_SALT', 'test');
define('LOGGED_IN_SALT', 'test'); define('NONCE_SALT', 'test');
$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

# A newsroom's site often registers a credit field on pictures; ours does, so the
# publisher's "credit in a registered meta field when the site has one" is tested.
_CREDIT_PLUGIN = """<?php
add_action('init', function () {
    register_post_meta('attachment', 'CREDIT_META', array(
        'type' => 'string', 'single' => true, 'show_in_rest' => true, 'default' => '',
    ));
});
""".replace("CREDIT_META", CREDIT_META)

_INSTALL = """<?php
define('WP_INSTALLING', true);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Newsdesk Test Site', '%(admin)s', 'admin@example.org', false, '', 'admin-password');
update_option('timezone_string', 'UTC');
$user_id = wp_insert_user(array(
    'user_login' => '%(user)s', 'user_pass' => 'login-password',
    'user_email' => 'desk@example.org', 'role' => 'editor',
));
if (is_wp_error($user_id)) { fwrite(STDERR, $user_id->get_error_message()); exit(1); }
$admin = get_user_by('login', '%(admin)s');
list($password) = WP_Application_Passwords::create_new_application_password(
    $user_id, array('name' => 'newsdesk'));
list($admin_password) = WP_Application_Passwords::create_new_application_password(
    $admin->ID, array('name' => 'tests'));
echo json_encode(array('password' => $password, 'admin_password' => $admin_password));
"""


def wordpress_required() -> bool:
    return os.environ.get("NEWSDESK_REQUIRE_WORDPRESS") == "1"


@dataclass
class WordPressSite:
    """A running site: its address, the editor who publishes, and a door for the tests."""

    url: str
    user: str
    password: str  # the editor's application password
    admin_password: str  # the administrator's, for tests acting as "someone in WordPress"

    def api(
        self,
        route: str,
        *,
        method: str = "GET",
        data: dict | None = None,
        admin: bool = False,
        anonymous: bool = False,
    ):
        """Call the REST API directly (as the editor, the admin, or no one) and return its JSON."""
        who = (ADMIN, self.admin_password) if admin else (self.user, self.password)
        route, _, query = route.partition("?")
        url = f"{self.url}/index.php?rest_route={route}" + (f"&{query}" if query else "")
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method)
        if not anonymous:
            token = b64encode(":".join(who).encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{Path(cmd[0]).name} failed: {(done.stderr or done.stdout)[-800:]}")
    return done


def _start_mariadb(base: Path) -> tuple[subprocess.Popen, Path]:
    for tool in ("mariadb-install-db", "mariadbd", "mariadb"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise RuntimeError(f"{tool} is missing (apt-get install mariadb-server)")
    as_root = os.geteuid() == 0
    data, sock = base / "db", base / "db.sock"
    user = ["--user=mysql"] if as_root else []
    if as_root:
        pw = pwd.getpwnam("mysql")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    _run(
        [
            "mariadb-install-db",
            f"--datadir={data}",
            *user,
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            "--skip-name-resolve",
        ]
    )
    server = subprocess.Popen(
        [
            shutil.which("mariadbd") or "/usr/sbin/mariadbd",
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={sock}",
            f"--pid-file={base / 'db.pid'}",
            f"--log-error={base / 'db.log'}",
            "--skip-networking",
            "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-buffer-pool-size=32M",
            *user,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    login = "root" if as_root else pwd.getpwuid(os.geteuid()).pw_name
    deadline = time.monotonic() + 60
    sql = (
        "CREATE DATABASE wordpress CHARACTER SET utf8mb4; "
        "CREATE USER 'wordpress'@'localhost' IDENTIFIED BY 'wordpress'; "
        "GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';"
    )
    while True:
        done = subprocess.run(
            ["mariadb", f"--socket={sock}", "-u", login, "-e", sql],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            return server, sock
        if server.poll() is not None or time.monotonic() > deadline:
            log = (base / "db.log").read_text(errors="replace")[-800:]
            server.kill()
            raise RuntimeError(f"MariaDB did not start: {done.stderr.strip()} {log}")
        time.sleep(0.3)


def _make_site(base: Path, url: str, sock: Path) -> Path:
    site = base / "site"
    site.mkdir()
    for entry in WORDPRESS.iterdir():
        if entry.name in ("wp-config.php", "wp-content", ".htaccess"):
            continue
        if entry.is_dir():
            (site / entry.name).symlink_to(entry)
        else:
            # Copied, not linked: PHP resolves links, and WordPress finds its
            # configuration next to the real wp-load.php.
            shutil.copy2(entry, site / entry.name)
    (site / "wp-config.php").write_text(_CONFIG.format(socket=sock, url=url))
    content = site / "wp-content"
    (content / "uploads").mkdir(parents=True)
    (content / "mu-plugins").mkdir()
    (content / "mu-plugins" / "credit.php").write_text(_CREDIT_PLUGIN)
    for part in ("themes", "plugins"):
        (content / part).symlink_to(WORDPRESS / "wp-content" / part)
    return site


def _start_site(base: Path, procs: list[subprocess.Popen]) -> WordPressSite:
    """Start the database and the web server (added to `procs` as they start) and install."""
    if not (WORDPRESS / "wp-settings.php").exists():
        raise RuntimeError(f"WordPress is not at {WORDPRESS} (apt-get install wordpress)")
    if shutil.which("php") is None:
        raise RuntimeError("php is missing (apt-get install php-cli php-mysql)")
    db, sock = _start_mariadb(base)
    procs.append(db)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    site = _make_site(base, url, sock)
    (site / "install-site.php").write_text(_INSTALL % {"admin": ADMIN, "user": USER})
    done = _run(["php", str(site / "install-site.php")], cwd=site)
    secrets = json.loads(done.stdout[done.stdout.index("{") :])
    (site / "install-site.php").unlink()
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
    web = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{port}", "-t", str(site)],
        cwd=site,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(base / "php.log", "wb"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,  # its forked workers are stopped with it, as a group
    )
    procs.append(web)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/index.php?rest_route=/", timeout=10) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if web.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("PHP's web server did not answer for WordPress")
        time.sleep(0.2)
    return WordPressSite(url, USER, secrets["password"], secrets["admin_password"])


def _signal(proc: subprocess.Popen, sig: int) -> None:
    """To the process's own group when it leads one (PHP's server and the workers it forks,
    which outlived it when only it was stopped), else to the process."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        if proc.poll() is None:
            proc.send_signal(sig)


def _stop(procs: list[subprocess.Popen], base: Path) -> None:
    for proc in reversed(procs):
        _signal(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL)
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # a worker that did not take the hint
        except (ProcessLookupError, PermissionError):
            pass
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def wordpress_site():
    """The session's WordPress site; an editor `desk` holds an application password."""
    base = Path(tempfile.mkdtemp(prefix="newsdesk-wp-"))
    procs: list[subprocess.Popen] = []
    try:
        site = _start_site(base, procs)
    except (RuntimeError, OSError, KeyError, ValueError, subprocess.TimeoutExpired) as exc:
        _stop(procs, base)
        message = f"WordPress could not be started for the tests: {exc}"
        if wordpress_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield site
    finally:
        _stop(procs, base)
