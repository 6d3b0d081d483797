"""A real Synapse homeserver on loopback, for the Matrix adapter's tests.

Synapse (PyPI ``matrix-synapse``) lives in its own virtual environment, ``.synapse-venv``
at the repository root (created on first use, about 30-50 s; reused while it has the
right version). Each :class:`Synapse` has its own data folder: SQLite, one HTTP listener
on 127.0.0.1, registration by shared secret, no key servers, and every rate limit raised
except when a test asks for Synapse's defaults.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / ".synapse-venv"
SYNAPSE_SPEC = "matrix-synapse>=1.163,<1.164"
SYNAPSE_PREFIX = "1.163."
SHARED_SECRET = "copbot-tests-only"
_HIGH = {"per_second": 10_000, "burst_count": 10_000}
#: Every ``rc_*`` setting in synapse/config/ratelimiting.py, raised so bulk tests pass.
RAISED_LIMITS: dict[str, Any] = {
    "rc_message": _HIGH,
    "rc_registration": _HIGH,
    "rc_login": {"address": _HIGH, "account": _HIGH, "failed_attempts": _HIGH},
    "rc_joins": {"local": _HIGH, "remote": _HIGH},
    "rc_joins_per_room": _HIGH,
    "rc_invites": {"per_room": _HIGH, "per_user": _HIGH, "per_issuer": _HIGH},
    "rc_room_creation": _HIGH,
    "rc_admin_redaction": _HIGH,
    "rc_key_requests": _HIGH,
    "rc_media_create": _HIGH,
    "rc_profile": _HIGH,
    "rc_third_party_invite": _HIGH,
    "rc_delayed_event_mgmt": _HIGH,
    "rc_reports": _HIGH,
    "rc_user_directory": _HIGH,
    "rc_federation": {"window_size": 1000, "sleep_limit": 10_000, "reject_limit": 10_000},
}


class SynapseUnavailable(RuntimeError):
    """Synapse could not be installed or started."""


def python() -> Path:
    """The Synapse venv's interpreter, installing Synapse first if needed."""
    interpreter = VENV / "bin" / "python"
    if interpreter.exists():
        probe = subprocess.run(
            [interpreter, "-c", "import synapse; print(synapse.__version__)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip().startswith(SYNAPSE_PREFIX):
            return interpreter
    try:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True, capture_output=True)
        subprocess.run(
            [interpreter, "-m", "pip", "install", "--quiet", SYNAPSE_SPEC],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        raise SynapseUnavailable(f"could not install {SYNAPSE_SPEC}: {error} {detail[-2000:]!r}") from error
    return interpreter


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Synapse:
    """One homeserver (``server_name`` ``localhost``) with a data folder of its own.

    Args:
        data: the data folder (created).
        default_limits: the ``rc_*`` settings left at Synapse's defaults (all others
            are raised).
    """

    def __init__(self, data: Path, *, default_limits: frozenset[str] = frozenset()) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.default_limits = default_limits
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, patience: float = 60.0) -> None:
        interpreter = python()
        self.data.mkdir(parents=True, exist_ok=True)
        config = self.data / "homeserver.yaml"
        if not config.exists():
            # Run from inside the folder: the generated log config writes there.
            subprocess.run(
                [
                    interpreter,
                    "-m",
                    "synapse.app.homeserver",
                    "--server-name",
                    "localhost",
                    "--config-path",
                    config,
                    "--data-directory",
                    self.data,
                    "--generate-config",
                    "--report-stats=no",
                ],
                cwd=self.data,
                check=True,
                capture_output=True,
            )
        overrides: dict[str, Any] = {
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "enable_registration": True,
            "enable_registration_without_verification": True,
            "registration_shared_secret": SHARED_SECRET,
            "trusted_key_servers": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "report_stats": False,
            "suppress_key_server_warning": True,
            **{key: value for key, value in RAISED_LIMITS.items() if key not in self.default_limits},
        }
        # JSON is YAML: no YAML writer needed for the overrides file.
        (self.data / "overrides.yaml").write_text(json.dumps(overrides))
        log = (self.data / "stderr.log").open("ab")
        self.process = subprocess.Popen(
            [
                interpreter,
                "-m",
                "synapse.app.homeserver",
                "-c",
                config,
                "-c",
                self.data / "overrides.yaml",
            ],
            cwd=self.data,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SynapseUnavailable(f"Synapse exited: {(self.data / 'stderr.log').read_text()[-3000:]}")
            try:
                self.request("GET", "/_matrix/client/versions")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        self.stop()
        raise SynapseUnavailable(f"Synapse did not answer within {patience:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """One client-server or admin API request; HTTP errors raise ``urllib.error.HTTPError``."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
            return answer

    def register(self, name: str, password: str, *, admin: bool = False) -> str:
        """Register ``@name:localhost`` by shared secret; an existing user counts as success.

        Returns:
            The user id.
        """
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(SHARED_SECRET.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join(
                [nonce.encode(), name.encode(), password.encode(), b"admin" if admin else b"notadmin"]
            )
        )
        body = {
            "nonce": nonce,
            "username": name,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        try:
            self.request("POST", "/_synapse/admin/v1/register", body)
        except urllib.error.HTTPError as error:
            if json.loads(error.read() or b"{}").get("errcode") != "M_USER_IN_USE":
                raise
        return f"@{name}:localhost"

    def login(self, user_id: str, password: str) -> str:
        """A fresh access token for ``user_id``."""
        body = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
        }
        return str(self.request("POST", "/_matrix/client/v3/login", body)["access_token"])

    def logout(self, token: str) -> None:
        """Revoke an access token (as logging out from another client does)."""
        self.request("POST", "/_matrix/client/v3/logout", {}, token)
