"""Instruction counts of one authenticated request: JWT against the session, under callgrind.

Each case is a GET through Django's full request path (AsyncClient, middleware, URL routing) to
an ``AsyncAPIView`` that answers ``{"id": request.user.id}``; only the authentication differs:

- ``anonymous``: no authenticators, ``AllowAny`` (the floor);
- ``session``: ``SessionAuthentication`` with a logged-in session (database sessions);
- ``jwt``: ``JWTAuthentication`` with ``Authorization: Bearer``, the cache blacklist (local memory);
- ``jwt-no-blacklist``: the same with ``BLACKLIST_ENABLED`` False;
- ``jwt-model-blacklist``: the same with ``ModelBlacklistBackend``.

    python -m benchmarks.auth_instructions [--calls 20] [--cases session,jwt]

As benchmarks/instructions.py: two processes per case, one making ``--calls`` more requests after
the same warm-up; the difference of their totals over ``--calls`` is the cost of one request.
Set PYTHONHASHSEED=0 for counts that repeat. Needs valgrind; about a minute per case.
"""

import argparse
import asyncio
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
CASES = ("anonymous", "session", "jwt", "jwt-no-blacklist", "jwt-model-blacklist")
JWT = {"SIGNING_KEY": "benchmark-signing-key-" + "k" * 64, "BLACKLIST_ALLOW_LOCMEM": True}
JWT_BY_CASE = {
    "jwt-no-blacklist": {"BLACKLIST_ENABLED": False},
    "jwt-model-blacklist": {"BLACKLIST_BACKEND": "restflow.authentication.jwt.ModelBlacklistBackend"},
}


def _configure(case, database):
    from django.conf import settings

    settings.configure(
        SECRET_KEY="benchmark",
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        USE_TZ=True,
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "rest_framework",
            "restflow.authentication",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        RESTFLOW_SETTINGS={"JWT": {**JWT, **JWT_BY_CASE.get(case, {})}},
    )
    import django

    django.setup()


urlpatterns = []


def _urls(case):
    from django.urls import path
    from rest_framework.permissions import AllowAny, IsAuthenticated
    from rest_framework.response import Response

    from restflow.authentication import JWTAuthentication, SessionAuthentication
    from restflow.views import AsyncAPIView

    class Me(AsyncAPIView):
        authentication_classes = {"anonymous": [], "session": [SessionAuthentication]}.get(case, [JWTAuthentication])
        permission_classes = [AllowAny] if case == "anonymous" else [IsAuthenticated]

        async def get(self, request):
            return Response({"id": request.user.id})

    urlpatterns[:] = [path("me/", Me.as_view())]


def _child(case, calls):
    with tempfile.TemporaryDirectory() as scratch:
        _configure(case, f"{scratch}/db.sqlite3")
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import AsyncClient

        from restflow.authentication import AccessToken

        call_command("migrate", verbosity=0)
        user = User.objects.create_user("bench", password="pass")
        _urls(case)
        client = AsyncClient()
        headers = {}
        if case == "session":
            client.force_login(user)
        elif case != "anonymous":
            headers = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}

        async def run(count):
            for _ in range(count):
                response = await client.get("/me/", headers=headers)
                assert response.status_code == 200, response.content

        asyncio.run(run(5))
        gc.collect()
        gc.freeze()
        asyncio.run(run(calls))


def _instructions(case, calls):
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={scratch}/out",
            sys.executable,
            "-m",
            "benchmarks.auth_instructions",
            "--child",
            case,
            str(calls),
        ]
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
    if result.returncode:
        raise RuntimeError(f"{case} failed under valgrind:\n{result.stderr[-3000:]}")
    return int(COLLECTED.search(result.stderr).group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    print("callgrind instructions per authenticated GET (difference of two runs)")
    print(f"{'case':<22}{'instructions/request':>22}")
    for case in args.cases.split(","):
        per_call = (_instructions(case, args.calls) - _instructions(case, 0)) / args.calls
        print(f"{case:<22}{per_call:>22.0f}", flush=True)


if __name__ == "__main__":
    main()
