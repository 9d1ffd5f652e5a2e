"""guide/authentication/jwt.md "URL Routing" (the client flow) through real uvicorn servers, under
Django's ASGI handler and restflow's, sharing one database and one Redis blacklist: a token
revoked through one server process is refused by the other."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.services import Database, free_port

pytestmark = [pytest.mark.server, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ("django", "restflow")


class JWTServer:
    def __init__(self, handler, env, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "tests.support.jwtproject.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-access-log",
                ],
                cwd=ROOT,
                env={**env, "ASGI_HANDLER": handler},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.http = httpx.Client(base_url=self.url, timeout=20)
        deadline = time.monotonic() + 40
        while True:
            try:
                self.http.get("/api/profile/")
                return
            except httpx.TransportError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"server did not start:\n{log_path.read_text()}") from exc
                time.sleep(0.1)

    def post(self, path, body):
        return self.http.post(path, json=body)

    def me(self, access):
        return self.http.get("/api/profile/", headers={"Authorization": f"Bearer {access}"})

    def stop(self):
        self.http.close()
        self.process.terminate()
        self.process.wait(15)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("jwt-servers")
    database = Database(tmp_path, "jwt")
    env = {
        **os.environ,
        **database.env(),
        "PYTHONPATH": str(ROOT),
        "JWT_REDIS_PREFIX": f"restflow-auth-{os.getpid()}",
        "DJANGO_SETTINGS_MODULE": "tests.support.jwtproject.settings",
    }
    if "SHOP_SQLITE_PATH" in env:
        env.pop("DATABASE_URL", None)
    manage = [sys.executable, "-m", "django"]
    for command in (
        ["migrate", "-v", "0"],
        [
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_user('khan', password='s3cret')",
        ],
    ):
        result = subprocess.run([*manage, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    started = {handler: JWTServer(handler, env, tmp_path / f"{handler}.log") for handler in HANDLERS}
    yield started
    for server in started.values():
        server.stop()
        assert "Traceback" not in server.log_path.read_text(), server.log_path.read_text()[-4000:]
    database.drop()


@pytest.mark.parametrize("handler", HANDLERS)
def test_obtain_use_refresh_blacklist_use_again(servers, handler):
    """ "URL Routing" client flow: obtain, use, refresh with rotation, replay refused, logout, refused again."""
    server = servers[handler]
    pair = server.post("/api/auth/token/", {"username": "khan", "password": "s3cret"})
    assert pair.status_code == 200, pair.text
    tokens = pair.json()
    assert server.me(tokens["access"]).json()["username"] == "khan"

    refreshed = server.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    rotated = refreshed.json()
    assert server.me(rotated["access"]).status_code == 200
    assert server.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401

    assert server.post("/api/auth/token/blacklist/", {"refresh": rotated["refresh"]}).status_code == 204
    again = server.post("/api/auth/token/refresh/", {"refresh": rotated["refresh"]})
    assert again.status_code == 401
    assert again.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert again.json() == {"detail": "Token is blacklisted."}
    unauthenticated = server.me("not-a-token")
    assert unauthenticated.status_code == 401 and unauthenticated.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revocation_on_one_worker_process_holds_on_the_other(servers):
    """Two server processes share the Redis blacklist: a rotated-out or blacklisted refresh token
    is refused by the process that did not revoke it."""
    first, second = servers["django"], servers["restflow"]
    tokens = first.post("/api/auth/token/", {"username": "khan", "password": "s3cret"}).json()
    rotated = first.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).json()
    assert second.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    assert second.post("/api/auth/token/blacklist/", {"refresh": rotated["refresh"]}).status_code == 204
    assert first.post("/api/auth/token/refresh/", {"refresh": rotated["refresh"]}).status_code == 401
