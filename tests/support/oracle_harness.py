"""The differential oracle's machinery: send one call to every side, compare the answers and rows.

Each side serves the same blog (``tests/support/oracleapp``) under its own prefix: ``drf`` (DRF's sync
classes, the oracle), ``flow`` (written for restflow) and ``port`` (DRF's class bodies on
restflow's classes). DRF is driven through Django's sync test client, restflow through
``restflow.test.AsyncAPIClient`` (Django's ASGI request path), from the test's thread with
``async_to_sync``: restflow's hops to the sync thread then land on the test's thread and its
database connection, as they would on the server's sync thread.

One database serves every side. A call runs on each restflow side inside a savepoint that is
rolled back, then on DRF, whose writes are kept: every side starts from the same rows, and the
state always follows the oracle. PostgreSQL sequences are not transactional, so they are put back
before each side runs; the ids every side hands out are then the same.

A difference is either allow-listed by name (``DIFFERENCES``: on purpose, each one a row of the
table in docs/differences.md) or a failure.
"""

import collections
import dataclasses
import json
from collections.abc import Callable
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart

from restflow.test import AsyncAPIClient
from tests.support.oracleapp.resources import THROTTLE_STORES

SIDES = ("flow", "port")  # compared with "drf"
HEADERS = ("Location", "Allow", "WWW-Authenticate", "Retry-After", "Content-Type", "Vary")
CSRF_SECRET = "s" * 32
JSON = "application/json"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@dataclasses.dataclass(frozen=True)
class Call:
    """One request, written for the DRF side (paths without the side prefix, URLs in bodies under /drf/)."""

    method: str
    path: str
    query: tuple = ()
    body: object = None  # bytes as sent, a dict (JSON, or multipart when ``files``), or None
    content_type: str | None = JSON
    auth: str = "anon"  # a key of Actors.headers
    accept: str | None = None
    files: tuple = ()  # (field, filename, content) sent as a multipart upload

    @property
    def resource(self):
        return self.path.split("/", 1)[0]

    def url(self, side):
        url = f"/{side}/{self.path}"
        return url + "?" + urlencode(self.query) if self.query else url

    def payload(self, side):
        """The body and content type for ``side``: URLs to the DRF side point at ``side`` instead."""
        if self.files:
            fields = dict(self.body or {})
            for field, filename, content in self.files:
                fields[field] = _upload(filename, content)
            return encode_multipart(BOUNDARY, fields), MULTIPART
        if self.body is None:
            return b"", self.content_type or JSON
        raw = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        return raw.replace(b"/drf/", f"/{side}/".encode()), self.content_type


def _upload(filename, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(filename, content)


@dataclasses.dataclass
class Outcome:
    """What one side answered, normalised to the DRF side's prefix, and the rows it left."""

    status: int
    headers: dict
    body: object
    rows: object
    throttles: dict
    error: str | None = None

    def differences(self, oracle):
        """The names of the parts that differ from ``oracle``: status, a header, body, a table, throttles."""
        found = [name for name in ("status", "body", "throttles") if getattr(self, name) != getattr(oracle, name)]
        found += [f"header {name}" for name in HEADERS if self.headers.get(name) != oracle.headers.get(name)]
        if isinstance(self.rows, dict) and isinstance(oracle.rows, dict):
            found += [f"rows {table}" for table in oracle.rows if self.rows.get(table) != oracle.rows[table]]
        elif self.rows != oracle.rows:
            found.append("rows")
        return found


def _normalised(value, side):
    if isinstance(value, str):
        return value.replace(f"/{side}/", "/drf/")
    if isinstance(value, list):
        return [_normalised(item, side) for item in value]
    if isinstance(value, dict):
        return {key: _normalised(item, side) for key, item in value.items()}
    return value


def _body(response, side):
    content_type = response.get("Content-Type", "")
    if not response.content:
        return None
    if content_type.startswith("application/json"):
        return _normalised(json.loads(response.content), side)
    if content_type.startswith("text/html"):
        # The browsable API's page holds a CSRF token and the view's forms: compared by its status
        # and Content-Type only; Django's error pages by their text.
        text = response.content.decode()
        return text if "<h1>" in text[:200] else "(browsable API page)"
    return _normalised(response.content.decode(errors="replace"), side)


def rows():
    """Every row of the oracle app's tables (many-to-many tables included), by primary key."""
    tables = {}
    for model in apps.get_app_config("oracleapp").get_models(include_auto_created=True):
        tables[model._meta.db_table] = list(model.objects.order_by("pk").values())
    return tables


class Sequences:
    """The id sequences of the oracle's tables on PostgreSQL, read and put back (SQLite's are transactional)."""

    def __init__(self):
        self.names = []
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in apps.get_app_config("oracleapp").get_models(include_auto_created=True):
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
                self.names.append(cursor.fetchone()[0])

    def read(self):
        with connection.cursor() as cursor:
            values = []
            for name in self.names:
                cursor.execute(f"SELECT last_value, is_called FROM {name}")
                values.append(cursor.fetchone())
            return values

    def restore(self, values):
        with connection.cursor() as cursor:
            for name, (last_value, is_called) in zip(self.names, values):
                cursor.execute("SELECT setval(%s, %s, %s)", [name, last_value, is_called])

    def restart(self):
        self.restore([(1, False)] * len(self.names))


class Actors:
    """The users (carol is staff) and the credentials each auth scheme sends (created once per test)."""

    PASSWORD = "pw-oracle"

    def __init__(self):
        from django.contrib.auth.models import User
        from rest_framework.authtoken.models import Token

        self.users = {}
        self.headers = {"anon": ({}, {})}  # scheme -> (headers, cookies)
        for name in ("alice", "bob", "carol"):
            user = User.objects.create_user(name, password=self.PASSWORD, is_staff=name == "carol")
            self.users[name] = user
            token = Token.objects.create(user=user)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            basic = _basic(name, self.PASSWORD)
            self.headers.update(
                {
                    f"basic:{name}": ({"Authorization": basic}, {}),
                    f"token:{name}": ({"Authorization": f"Token {token.key}"}, {}),
                    f"session:{name}": (
                        {"X-CSRFToken": CSRF_SECRET},
                        {"sessionid": session.session_key, "csrftoken": CSRF_SECRET},
                    ),
                    f"session-no-csrf:{name}": ({}, {"sessionid": session.session_key}),
                }
            )
        self.headers.update(
            {
                "basic:wrong-password": ({"Authorization": _basic("alice", "nope")}, {}),
                "basic:garbled": ({"Authorization": "Basic !!notbase64"}, {}),
                "token:unknown": ({"Authorization": "Token " + "0" * 40}, {}),
                "token:two-words": ({"Authorization": "Token a b"}, {}),
                "bearer": ({"Authorization": "Bearer abc"}, {}),
                "session:expired": ({}, {"sessionid": "x" * 32}),
            }
        )


def _basic(username, password):
    import base64

    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Harness:
    """Sends calls to every side and reports the differences from DRF that no allowance names."""

    def __init__(self, actors, sides=SIDES, differences=None):
        self.actors = actors
        self.sides = sides
        self.allowances = dict(differences or {})
        self.allowed = {}  # allowance name -> times it excused a difference
        self.sequences = Sequences()
        self.drf_client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        self.async_client = AsyncAPIClient(enforce_csrf_checks=True, raise_request_exception=False)
        self.steps = 0
        self.found = {}  # (side, method, resource, parts) -> the first report of that kind
        self.statuses = collections.Counter()  # (method, resource, DRF's status) -> calls

    def reset(self):
        """A fresh example: empty throttle history, ids from 1 again."""
        THROTTLE_STORES.stores.clear()
        if self.sequences.names:
            self.sequences.restart()

    def send(self, side, call):
        headers, cookies = self.actors.headers[call.auth]
        headers = dict(headers)
        if call.accept is not None:
            headers["Accept"] = call.accept
        data, content_type = call.payload(side)
        THROTTLE_STORES.side = side
        client = self.drf_client if side == "drf" else self.async_client
        client.cookies.clear()
        for name, value in cookies.items():
            client.cookies[name] = value
        if side == "drf":
            return client.generic(call.method, call.url(side), data, content_type, headers=headers)

        async def request():
            return await client.generic(call.method, call.url(side), data, content_type, headers=headers)

        return async_to_sync(request)()

    def run_on(self, side, call, keep):
        """The call's outcome on ``side``; its writes are kept only when ``keep``."""
        result = {}
        try:
            with transaction.atomic():
                result["response"] = self.send(side, call)
                result["rows"] = rows()
                if not keep:
                    transaction.set_rollback(True)
        except DatabaseError as exc:  # a request that broke the transaction: nothing is kept
            result["rows"] = f"unreadable after the request: {type(exc).__name__}"
        response = result["response"]
        error = None
        if response.exc_info:
            error = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"
        return Outcome(
            status=response.status_code,
            headers={name: _normalised(response[name], side) for name in HEADERS if response.has_header(name)},
            body=_body(response, side),
            rows=result["rows"],
            throttles=dict(THROTTLE_STORES.stores.get(side, {})),
            error=error,
        )

    def check(self, call):
        """Run ``call`` on each restflow side, then on DRF (kept); return the DRF outcome.

        A difference that no allowance names is recorded in ``found``, the first of each kind.
        """
        self.steps += 1
        saved = self.sequences.read() if self.sequences.names else None
        outcomes = {}
        for side in self.sides:
            outcomes[side] = self.run_on(side, call, keep=False)
            if saved is not None:
                self.sequences.restore(saved)
        oracle = self.run_on("drf", call, keep=True)
        self.statuses[call.method, call.resource, oracle.status] += 1
        for side, outcome in outcomes.items():
            found = outcome.differences(oracle)
            if not found:
                continue
            name = next((n for n, a in self.allowances.items() if a.excuses(side, call, oracle, outcome, found)), None)
            if name is not None:
                self.allowed[name] = self.allowed.get(name, 0) + 1
                continue
            kind = (side, call.method, call.resource, tuple(found))
            self.found.setdefault(kind, _describe(side, call, oracle, outcome, found))
        return oracle

    def assert_no_differences(self):
        """Fail with one report per kind of difference found (side, method, resource, parts)."""
        kinds = "\n".join(f"  {side} {method} {resource}: {', '.join(parts)}" for side, method, resource, parts in self.found)
        first = "\n\n".join(list(self.found.values())[:10])
        assert not self.found, f"{len(self.found)} kinds of difference from DRF:\n{kinds}\n\nThe first ten:\n\n{first}"


def _describe(side, call, oracle, outcome, found):
    shown = repr(call)
    lines = [f"{side} differs from drf in {', '.join(found)} for {shown if len(shown) < 400 else shown[:400] + '...'}"]
    for part in found:
        if part.startswith("rows "):
            table = part[5:]
            lines.append(f"  {part}: drf={oracle.rows[table]!r}\n  {' ' * len(part)}  {side}={outcome.rows[table]!r}")
        elif part.startswith("header "):
            header = part[7:]
            lines.append(f"  {part}: drf={oracle.headers.get(header)!r} {side}={outcome.headers.get(header)!r}")
        else:
            lines.append(f"  {part}: drf={getattr(oracle, part)!r}\n  {' ' * len(part)}  {side}={getattr(outcome, part)!r}")
    for who, result in (("drf", oracle), (side, outcome)):
        if result.error:
            lines.append(f"  {who} raised {result.error}")
    return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class Allowance:
    """A difference allowed by name: ``test(side, call, drf, other, parts)`` says whether it is this one."""

    why: str
    test: Callable

    def excuses(self, side, call, oracle, outcome, found):
        return bool(self.test(side, call, oracle, outcome, set(found)))
