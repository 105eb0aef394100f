"""A real, throwaway WordPress on 127.0.0.1 for the integration tests.

Debian's packages only (``wordpress``, ``mariadb-server``, ``php-cli``, ``php-mysql``; scripts/test installs them):

- MariaDB runs on a private data directory in a temporary directory, reachable only through its unix socket.
- WordPress is served by ``php -S`` from a *site directory*: symbolic links to every file of /usr/share/wordpress
  except its ``wp-config.php``, which is ours. Debian's own ``wp-config.php`` would read
  ``/etc/wordpress/config-<host>.php``, a file shared by the whole machine; ours keeps everything in the temporary
  directory, so two test sessions can run at once and nothing outside it is ever written.
- A PHP script loading ``wp-load.php`` installs the site, creates an administrator and an author, one Application
  Password each, a member (role « membre »: may read private posts, logs in with a password), and the categories
  the tests look up. WordPress's default theme (Debian's ``wordpress-theme-twentytwentythree``) shows the posts
  to a browser; without it the site still answers the REST API.

``stop()`` shuts MariaDB down, kills php's whole process group (its workers hold the port) and deletes the directory.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

WORDPRESS_DIR = Path("/usr/share/wordpress")
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", os.defpath), "/usr/sbin", "/usr/bin"])  # mariadbd is in sbin
PACKAGES = "wordpress mariadb-server php-cli php-mysql"
ADMIN_USERNAME = "fabrique-admin"
AUTHOR_USERNAME = "fabrique-auteur"
# A member as the community would set one up: a role that may read private posts and nothing else, logging in with
# a password through wp-login.php (the browser tests do).
MEMBER_USERNAME = "fabrique-membre"
MEMBER_ROLE = "membre"
CATEGORIES = ("Fabriques collectives", "Agenda")
# PHP's defaults (2M/8M) would warn on every recording. Measured here (PHP 8.2, php -S): they only bound multipart
# form uploads; the REST API's raw-body upload is stored whole even past post_max_size (after a warning in the log).
PHP_BODY_LIMIT = "1024M"
# WordPress holds an uploaded body in memory more than once: 256M fails past ~100 MB (measured), a long recording.
PHP_MEMORY_LIMIT = "1024M"
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0


class WordPressServerError(RuntimeError):
    pass


class PortTaken(WordPressServerError):
    pass


@dataclass(frozen=True)
class WordPressSite:
    """What a test needs to talk to the running WordPress."""

    url: str  # site root, e.g. http://127.0.0.1:40123
    admin_username: str
    admin_app_password: str
    author_username: str
    author_app_password: str
    categories: dict[str, int]  # name -> term id, created at install
    member_username: str = ""  # role « membre »: read + read_private_posts; logs in with member_password
    member_password: str = ""


# Serve existing static files (uploads) as they are, run PHP files, send everything else to WordPress.
ROUTER_PHP = r"""<?php
$root = $_SERVER['DOCUMENT_ROOT'];
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (!defined('ABSPATH')) {
    // wp-load.php would otherwise take the directory of its real file (/usr/share/wordpress) and load
    // Debian's wp-config.php instead of ours.
    define('ABSPATH', $root . '/');
}
if ($path !== '/' && !str_contains($path, '..') && is_file($root . $path)) {
    if (!str_ends_with($path, '.php')) {
        return false;
    }
    chdir(dirname($root . $path));
    require $root . $path;
    return true;
}
chdir($root);
require $root . '/index.php';
"""

WP_CONFIG_PHP = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', {db_host});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}
$table_prefix = 'wp_';
define('WP_HOME', {url});
define('WP_SITEURL', {url});
define('WP_CONTENT_DIR', {content_dir});
define('WP_CONTENT_URL', {content_url});
// Application Passwords need HTTPS unless the site says it is a local one.
define('WP_ENVIRONMENT_TYPE', 'local');
// No network from the tests' WordPress: no cron loopback, no update checks.
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
"""

# Must-use plugin: there is no mail server; WordPress would try sendmail on every notification.
NO_MAIL_PHP = """<?php
function wp_mail($to, $subject, $message, $headers = '', $attachments = array()) {
    return true;
}
"""

SETUP_PHP = r"""<?php
[$script, $site_dir, $socket, $admin, $author, $categories_json, $member, $member_role] = $argv;
$db = new mysqli('localhost', 'root', '', '', 0, $socket);
$db->query('CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
$db->close();

define('WP_INSTALLING', true);
define('ABSPATH', $site_dir . '/');
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

function fail($what, $error) {
    $message = is_wp_error($error) ? $error->get_error_message() : var_export($error, true);
    fwrite(STDERR, $what . ': ' . $message . "\n");
    exit(1);
}

$installed = wp_install('Fabrique (tests)', $admin, $admin . '@example.org', false, '', wp_generate_password(32));
if (is_wp_error($installed) || empty($installed['user_id'])) {
    fail('wp_install', $installed);
}
$author_id = wp_insert_user([
    'user_login' => $author,
    'user_pass' => wp_generate_password(32),
    'user_email' => $author . '@example.org',
    'role' => 'author',
]);
if (is_wp_error($author_id)) {
    fail('wp_insert_user', $author_id);
}
$passwords = [];
foreach ([$admin => $installed['user_id'], $author => $author_id] as $login => $user_id) {
    $created = WP_Application_Passwords::create_new_application_password($user_id, ['name' => 'fabrique-tests']);
    if (is_wp_error($created)) {
        fail('application password', $created);
    }
    $passwords[$login] = $created[0];
}
add_role($member_role, 'Membre', ['read' => true, 'read_private_posts' => true, 'read_private_pages' => true]);
$member_password = wp_generate_password(24, false);
$member_id = wp_insert_user([
    'user_login' => $member,
    'user_pass' => $member_password,
    'user_email' => $member . '@example.org',
    'role' => $member_role,
]);
if (is_wp_error($member_id)) {
    fail('wp_insert_user member', $member_id);
}
$categories = [];
foreach (json_decode($categories_json) as $name) {
    $term = wp_insert_term($name, 'category');
    if (is_wp_error($term)) {
        fail('wp_insert_term', $term);
    }
    $categories[$name] = $term['term_id'];
}
echo json_encode(['passwords' => $passwords, 'categories' => $categories, 'member_password' => $member_password]);
"""


def missing_packages() -> list[str]:
    """The Debian packages this server needs that are not installed."""
    missing = []
    if not (WORDPRESS_DIR / "wp-settings.php").is_file():
        missing.append("wordpress")
    if not mariadb_server() or not shutil.which("mariadb-install-db", path=SEARCH_PATH):
        missing.append("mariadb-server")
    php = shutil.which("php")
    if not php:
        missing.append("php-cli")
    elif subprocess.run([php, "-r", 'exit(extension_loaded("mysqli") ? 0 : 1);'], check=False).returncode != 0:
        missing.append("php-mysql")
    return missing


def mariadb_server() -> str | None:
    return shutil.which("mariadbd", path=SEARCH_PATH) or shutil.which("mysqld", path=SEARCH_PATH)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def php_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class WordPressServer:
    """Start with ``start()``, always ``stop()``; or use ``running_wordpress()``."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.site: WordPressSite | None = None
        self.startup_seconds: float | None = None
        self._mariadb: subprocess.Popen[bytes] | None = None
        self._php: subprocess.Popen[bytes] | None = None
        self._keys = ""

    # -- paths ---------------------------------------------------------------------------------------------------
    @property
    def _dir(self) -> Path:
        assert self.directory is not None
        return self.directory

    @property
    def _socket(self) -> Path:
        return self._dir / "mysqld.sock"

    @property
    def _site_dir(self) -> Path:
        return self._dir / "site"

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> WordPressSite:
        missing = missing_packages()
        if missing:
            raise WordPressServerError(
                f"missing Debian packages: {' '.join(missing)} (apt-get install {PACKAGES}; scripts/test does it)"
            )
        began = time.monotonic()
        self.directory = Path(tempfile.mkdtemp(prefix="fabrique-wp-"))
        try:
            self._start_mariadb()
            self._write_site()
            port = free_port()
            self._write_config(port)
            passwords, categories = self._install()
            port = self._start_php(port)
        except BaseException:
            self.stop()
            raise
        url = f"http://127.0.0.1:{port}"
        self.site = WordPressSite(
            url=url,
            admin_username=ADMIN_USERNAME,
            admin_app_password=passwords[ADMIN_USERNAME],
            author_username=AUTHOR_USERNAME,
            author_app_password=passwords[AUTHOR_USERNAME],
            categories=categories,
            member_username=MEMBER_USERNAME,
            member_password=passwords[MEMBER_USERNAME],
        )
        self.startup_seconds = time.monotonic() - began
        return self.site

    def stop(self) -> None:
        """Idempotent; safe after a failed start."""
        if self._php is not None:
            stop_process_group(self._php)
            self._php = None
        if self._mariadb is not None:
            stop_process_group(self._mariadb)
            self._mariadb = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    # -- MariaDB -------------------------------------------------------------------------------------------------
    def _start_mariadb(self) -> None:
        data = self._dir / "mysql"
        as_root = ["--user=root"] if os.geteuid() == 0 else []  # mariadbd refuses root unless told so
        run_logged(
            [
                shutil.which("mariadb-install-db", path=SEARCH_PATH) or "mariadb-install-db",
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",  # root without password, over the socket only
                "--skip-test-db",
                "--skip-name-resolve",
                *as_root,
            ],
            self._dir / "mariadb-install.log",
        )
        server = mariadb_server()
        assert server is not None
        log = self._dir / "mariadb.log"
        self._mariadb = subprocess.Popen(
            [
                server,
                "--no-defaults",  # never /etc/mysql: no TCP port, no system socket, no system data
                f"--datadir={data}",
                f"--socket={self._socket}",
                "--skip-networking",
                f"--pid-file={self._dir / 'mysqld.pid'}",
                f"--log-error={log}",
                "--innodb-buffer-pool-size=32M",
                "--innodb-flush-log-at-trx-commit=0",  # durability is pointless for a database deleted at exit
                "--skip-innodb-doublewrite",
                *as_root,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self._socket_accepts():
            if self._mariadb.poll() is not None:
                raise WordPressServerError(f"MariaDB exited with {self._mariadb.returncode}:\n{tail(log)}")
            if time.monotonic() > deadline:
                raise WordPressServerError(f"MariaDB not ready after {READY_TIMEOUT_SECONDS:.0f} s:\n{tail(log)}")
            time.sleep(0.05)

    def _socket_accepts(self) -> bool:
        if not self._socket.exists():
            return False
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(self._socket))
            except OSError:
                return False
        return True

    # -- WordPress -----------------------------------------------------------------------------------------------
    def _write_site(self) -> None:
        site = self._site_dir
        site.mkdir()
        for entry in WORDPRESS_DIR.iterdir():
            if entry.name not in {"wp-config.php", "wp-content", ".htaccess"}:
                (site / entry.name).symlink_to(entry)
        content = site / "wp-content"
        (content / "uploads").mkdir(parents=True)
        (content / "plugins").mkdir()
        (content / "mu-plugins").mkdir()
        (content / "themes").symlink_to(WORDPRESS_DIR / "wp-content" / "themes")
        (content / "mu-plugins" / "fabrique-tests-no-mail.php").write_text(NO_MAIL_PHP)
        (self._dir / "router.php").write_text(ROUTER_PHP)
        (self._dir / "setup.php").write_text(SETUP_PHP)
        self._keys = "\n".join(
            f"define('{name}', '{secrets.token_hex(32)}');"
            for name in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )

    def _write_config(self, port: int) -> None:
        url = f"http://127.0.0.1:{port}"
        config = WP_CONFIG_PHP
        for name, value in {
            "db_host": php_string(f"localhost:{self._socket}"),
            "keys": self._keys,
            "url": php_string(url),
            "content_dir": php_string(str(self._site_dir / "wp-content")),
            "content_url": php_string(f"{url}/wp-content"),
        }.items():
            config = config.replace("{" + name + "}", value)
        (self._site_dir / "wp-config.php").write_text(config)

    def _install(self) -> tuple[dict[str, str], dict[str, int]]:
        result = subprocess.run(
            [
                "php",
                "-d",
                "display_errors=stderr",
                str(self._dir / "setup.php"),
                str(self._site_dir),
                str(self._socket),
                ADMIN_USERNAME,
                AUTHOR_USERNAME,
                json.dumps(CATEGORIES),
                MEMBER_USERNAME,
                MEMBER_ROLE,
            ],
            capture_output=True,
            text=True,
            timeout=READY_TIMEOUT_SECONDS,
            check=False,
        )
        try:
            installed = json.loads(result.stdout)
        except json.JSONDecodeError:
            installed = None
        if result.returncode != 0 or not isinstance(installed, dict):
            raise WordPressServerError(
                f"WordPress install failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
        passwords = {**installed["passwords"], MEMBER_USERNAME: installed["member_password"]}  # a login password
        return passwords, {name: int(term) for name, term in installed["categories"].items()}

    def _start_php(self, port: int, attempts: int = 3) -> int:
        """Serve the site; on a port taken since ``free_port()`` chose it, try another. Returns the port."""
        for attempt in range(1, attempts + 1):
            try:
                self._serve(port)
                return port
            except PortTaken:
                if attempt == attempts:
                    raise
                port = free_port()
                self._write_config(port)
        raise AssertionError("unreachable")

    def _serve(self, port: int) -> None:
        log = self._dir / "php.log"
        with log.open("wb") as output:
            self._php = subprocess.Popen(
                [
                    "php",
                    "-d",
                    f"upload_max_filesize={PHP_BODY_LIMIT}",
                    "-d",
                    f"post_max_size={PHP_BODY_LIMIT}",
                    "-d",
                    f"memory_limit={PHP_MEMORY_LIMIT}",
                    "-d",
                    "display_errors=0",  # a PHP notice inside a REST answer would break its JSON
                    "-d",
                    "log_errors=1",
                    "-S",
                    f"127.0.0.1:{port}",
                    "-t",
                    str(self._site_dir),
                    str(self._dir / "router.php"),
                ],
                cwd=self._site_dir,
                env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},  # the bot may send requests concurrently
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches the workers too
            )
        url = f"http://127.0.0.1:{port}/?rest_route=/"
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            if self._php.poll() is not None:
                stop_process_group(self._php)
                self._php = None
                output_text = tail(log)
                if "Address already in use" in output_text:
                    raise PortTaken(port)
                raise WordPressServerError(f"php -S exited:\n{output_text}")
            with suppress(httpx.TransportError):
                if httpx.get(url, timeout=5).status_code == httpx.codes.OK:
                    return
            if time.monotonic() > deadline:
                raise WordPressServerError(f"WordPress not ready after {READY_TIMEOUT_SECONDS:.0f} s:\n{tail(log)}")
            time.sleep(0.05)


def run_logged(command: list[str], log: Path) -> None:
    with log.open("wb") as output:
        result = subprocess.run(
            command, stdout=output, stderr=subprocess.STDOUT, timeout=READY_TIMEOUT_SECONDS, check=False
        )
    if result.returncode != 0:
        raise WordPressServerError(f"{command[0]} failed with {result.returncode}:\n{tail(log)}")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group (MariaDB shuts down cleanly on it), then SIGKILL whatever is left of it.

    The leader is left unreaped (a zombie) until the end, so its pid, hence the group id, cannot be reused by an
    unrelated process while we still signal the group.
    """
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while process.returncode is None and time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                break
        except ChildProcessError:
            break
        time.sleep(0.05)
    # php's workers may outlive their parent and keep the port.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_SECONDS)


def tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return f"({path} unreadable)"


@contextmanager
def running_wordpress() -> Iterator[WordPressSite]:
    server = WordPressServer()
    try:
        yield server.start()
    finally:
        server.stop()
