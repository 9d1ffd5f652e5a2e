"""The example shop (examples/shop) served by a real uvicorn process on its own database."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.services import Database, free_port

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
START_TIMEOUT = 40


class ShopServer:
    """migrate, seed_demo, then uvicorn on a free loopback port; ``stop()`` ends the process."""

    def __init__(self, tmp_path, name):
        self.db = Database(tmp_path, name)
        self.log_path = tmp_path / f"{name}-server.log"
        self.env = {
            **os.environ,
            **self.db.env(),
            "DJANGO_SETTINGS_MODULE": "shop.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = None

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=SHOP, env=self.env, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def make_user(self, username):
        """A user with an API token (through the ORM in a shell: the API has no sign-up)."""
        code = (
            "from django.contrib.auth import get_user_model; from rest_framework.authtoken.models import Token; "
            f"user, _ = get_user_model().objects.get_or_create(username={username!r}); "
            "print(Token.objects.get_or_create(user=user)[0].key)"
        )
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def start(self):
        self.manage("migrate", "--noinput", "-v", "0")
        self.token = self.manage("seed_demo", "--quiet").strip()
        assert re.fullmatch(r"[0-9a-f]{40}", self.token), self.token
        for attempt in range(3):
            self.port = free_port()
            self.base_url = f"http://127.0.0.1:{self.port}"
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "shop.asgi:application",
                     "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
                    cwd=SHOP, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                )
            if self._wait_until_up():
                return self
            self.stop()
        raise AssertionError(f"the example server did not start:\n{self.log()}")

    def _wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.base_url}/api/health/ping/", timeout=2).status_code == 200:
                    return True
            except httpx.TransportError:
                time.sleep(0.1)
        return False

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def server_errors(self):
        return [line for line in self.log().splitlines() if "Internal Server Error" in line]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None

    def auth(self, token=None):
        return {"Authorization": f"Token {token or self.token}"}
