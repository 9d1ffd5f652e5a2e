"""DRF as the oracle: the same generated request sequences against DRF and restflow, compared step by step.

The blog in ``tests/support/oracleapp`` is served three times (``tests/support/oracle_urls.py``); hypothesis'
stateful testing drives all sides with one sequence of calls (``tests/support/oracle_harness.py``) and
every answer (status, body, the headers that matter) and every row written must match DRF's,
unless a named allowance below (``DIFFERENCES``) says why not: each one is on purpose, and a row
of "Differences from DRF" in docs/differences.md.

The budget is fixed (derandomized, ``RESTFLOW_ORACLE_EXAMPLES`` examples of at most
``RESTFLOW_ORACLE_STEPS`` steps); raise both for a longer search.
"""

import json
import os
import re
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from restflow.test import AsyncAPIClient
from restflow.views import ActionConfig, AsyncModelViewSet, AsyncReadOnlyModelViewSet
from tests.support.oracle_harness import Actors, Allowance, Call, Harness
from tests.support.oracleapp import resources, views_drf, views_port
from tests.support.oracleapp.models import Comment, Post, Profile, Tag
from tests.support.oracleapp.resources import CLOCK, START
from tests.support.oracleapp.serializers import PostSerializer

pytestmark = [pytest.mark.urls("tests.support.oracle_urls"), pytest.mark.django_db]

EXAMPLES = int(os.environ.get("RESTFLOW_ORACLE_EXAMPLES", "12"))
STEPS = int(os.environ.get("RESTFLOW_ORACLE_STEPS", "30"))

# Differences on purpose: one row each in docs/differences.md ("Differences from DRF").
DIFFERENCES = {
    "deep-json-is-400": Allowance(
        "A JSON body nested deeper than Python's decoder can follow is DRF's 400 parse error, not a 500.",
        lambda side, call, drf, other, parts: drf.status == 500
        and (drf.error or "").startswith("RecursionError")
        and other.status == 400
        and "nested too deeply" in str(other.body),
    ),
    "tampered-cursor-is-404": Allowance(
        "A cursor whose position does not fit the ordering field is DRF's 404 'Invalid cursor', not a 500.",
        lambda side, call, drf, other, parts: "cursor" in dict(call.query)
        and drf.status == 500
        and other.status == 404
        and other.body == {"detail": "Invalid cursor"},
    ),
}

@pytest.fixture
def actors(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with mock.patch("django.utils.timezone.now", CLOCK.now):
        yield Actors()


def seed(actors):
    """A fresh example's rows: two tags, a published post by alice, a draft by bob, carol sees drafts."""
    Profile.objects.create(user=actors.users["carol"], sees_drafts=True)
    news = Tag.objects.create(name="news")
    Tag.objects.create(name="misc")
    hello = Post.objects.create(author=actors.users["alice"], title="Hello", body="first words", status="published")
    hello.tags.set([news])
    Post.objects.create(author=actors.users["bob"], title="Draft", body="", rating=2)
    Comment.objects.create(post=hello, author=actors.users["bob"], text="nice")


USERS = ("alice", "bob", "carol")
GOOD_AUTH = [f"{scheme}:{user}" for scheme in ("basic", "token", "session") for user in USERS]
BAD_AUTH = ["session-no-csrf:alice", "basic:wrong-password", "basic:garbled", "token:unknown",
            "token:two-words", "bearer", "session:expired"]
auth = st.sampled_from(GOOD_AUTH * 2 + ["anon"] * 3 + BAD_AUTH)
accept = st.sampled_from([None] * 6 + ["application/json", "*/*", "text/html", "application/xml"])
UNKNOWN_IDS = ["0", "999999", "-1", "abc", "1.5", str(2**63), str(2**70)]
JUNK = st.sampled_from([None, True, 1.5, "x", -1, [], {}, "9" * 30])


def usually(valid, junk):
    """Mostly valid values, sometimes junk of every kind."""
    return st.one_of(*[valid] * 7, junk)


TITLES = ["Hello", "Draft", "Second", "Third post", "Ünïcode ✓", "a b", "Forbidden", "", " ", "x" * 41]
post_fields = {
    "title": usually(
        st.one_of(st.sampled_from(TITLES[:6]), st.integers(1, 99).map("Post {}".format)),
        st.one_of(st.sampled_from(TITLES[6:]), JUNK),
    ),
    "body": usually(st.sampled_from(["", "one two three", "  spaced   words "]), JUNK),
    "status": usually(st.sampled_from(["draft", "published"]), st.one_of(st.just("bogus"), JUNK)),
    "rating": usually(st.integers(0, 5), st.one_of(st.sampled_from([-1, 6, "2", 2.5]), JUNK)),
    "tags": usually(st.lists(st.sampled_from(["news", "misc"]), max_size=2, unique=True),
                    st.one_of(st.just(["nope"]), st.just(["news", "news"]), JUNK)),
    "slug": st.just("set-by-client"),
}
tag_fields = {
    "name": usually(st.sampled_from(["news", "misc", "new", "other", "third"]), st.one_of(st.sampled_from(["", "x" * 21]), JUNK)),
}
comment_fields = {
    "text": usually(st.sampled_from(["hi", "well said"]), st.one_of(st.sampled_from(["", "y" * 101]), JUNK)),
    "post": usually(
        st.sampled_from(["http://testserver/drf/posts/1/", "http://testserver/drf/posts/2/"]),
        st.one_of(st.sampled_from(["http://testserver/drf/posts/999/", "http://testserver/drf/tags/1/",
                                   "/drf/posts/1/", "http://elsewhere/drf/posts/1/"]), JUNK),
    ),
    "edited": st.booleans(),
}


def some_of(fields, required):
    """Mostly every ``required`` field (values usually valid), sometimes any subset of them."""
    full = st.fixed_dictionaries(
        {k: fields[k] for k in required}, optional={k: v for k, v in fields.items() if k not in required}
    )
    return st.one_of(full, full, st.fixed_dictionaries({}, optional=fields))


post_body = some_of(post_fields, ["title"])
tag_body = some_of(tag_fields, ["name"])
comment_body = some_of(comment_fields, ["text", "post"])
BAD_BODIES = [
    (b'{"title": ', "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b"", "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"title=Form+post&body=a+b", "application/x-www-form-urlencoded"),
    (b"title: yaml", "text/plain"),
    (b"--x\r\n", "multipart/form-data"),
    (b'{"title": "Nested", "tags": ' + b"[" * 50 + b"]" * 50 + b"}", "application/json"),
    (b'{"title": "Deep", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
]


class OracleMachine(RuleBasedStateMachine):
    """Sequences of calls on the blog; after each, every side must have answered as DRF did."""

    harness = None  # set by the test

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.harness.reset()
        CLOCK.seconds = START.timestamp()
        seed(self.harness.actors)
        self.cursors = ["", "bogus", "cD0x", "bz0tMQ==", "cj0xJnA9YWJj"]  # some garbage, then seen ones

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def check(self, call):
        oracle = self.harness.check(call)
        if isinstance(oracle.body, dict):
            for link in (oracle.body.get("next"), oracle.body.get("previous")):
                if isinstance(link, str) and "cursor=" in link:
                    self.cursors.append(dict(parse_qsl(urlsplit(link).query)).get("cursor", ""))
        return oracle

    def some_id(self, data, model):
        ids = [str(pk) for pk in model.objects.values_list("pk", flat=True)]
        return data.draw(st.one_of(st.sampled_from(ids), st.sampled_from(UNKNOWN_IDS)) if ids else st.sampled_from(UNKNOWN_IDS))

    def encoded(self, data, body):
        """JSON most of the time, sometimes a broken or foreign body."""
        if data.draw(st.integers(0, 5)) == 5:
            return data.draw(st.sampled_from(BAD_BODIES))
        return json.dumps(body).encode(), "application/json"

    def write(self, data, method, path, body):
        raw, content_type = self.encoded(data, body)
        self.check(Call(method, path, body=raw, content_type=content_type, auth=data.draw(auth), accept=data.draw(accept)))

    @rule(data=st.data())
    def create_post(self, data):
        self.write(data, "POST", "posts/", data.draw(post_body))

    @rule(data=st.data(), method=st.sampled_from(["PUT", "PATCH"]))
    def update_post(self, data, method):
        self.write(data, method, f"posts/{self.some_id(data, Post)}/", data.draw(post_body))

    @rule(data=st.data())
    def write_tag(self, data):
        method = data.draw(st.sampled_from(["POST", "PUT", "PATCH"]))
        path = "tags/" if method == "POST" else f"tags/{self.some_id(data, Tag)}/"
        self.write(data, method, path, data.draw(tag_body))

    @rule(data=st.data())
    def write_comment(self, data):
        method = data.draw(st.sampled_from(["POST", "PUT", "PATCH"]))
        path = "comments/" if method == "POST" else f"comments/{self.some_id(data, Comment)}/"
        self.write(data, method, path, data.draw(comment_body))

    @rule(data=st.data())
    def upload(self, data):
        method = data.draw(st.sampled_from(["POST", "PATCH"]))
        path = "attachments/" if method == "POST" else f"attachments/{data.draw(st.sampled_from(['1', '2', '999']))}/"
        fields = data.draw(some_of({
            "name": usually(st.just("notes"), st.sampled_from(["", "z" * 31])),
            "post": usually(st.sampled_from(["1", "2"]), st.sampled_from(["999", "x"])),
        }, ["name", "post"]))
        files = data.draw(usually(st.just((("file", "notes.txt", b"hello"),)),
                                  st.sampled_from([(), (("file", "empty.txt", b""),)])))
        self.check(Call(method, path, body=fields, files=files, auth=data.draw(auth)))

    @rule(data=st.data())
    def list_posts(self, data):
        query = data.draw(st.fixed_dictionaries({}, optional={
            "page": st.sampled_from(["1", "2", "3", "0", "-1", "x", "last", "999", str(2**70)]),
            "page_size": st.sampled_from(["1", "5", "10", "0", "x"]),
            "search": st.sampled_from(["", "hello", "two", "ü"]),
            "ordering": st.sampled_from(["id", "-rating", "title,-id", "bogus", "-created", "body"]),
            "status": st.sampled_from(["draft", "published", "bogus"]),
            "rating": st.sampled_from(["1", "2", "x", str(2**70)]),
            "format": st.sampled_from(["json", "api", "xml"]),
        }))
        self.check(Call("GET", "posts/", query=tuple(query.items()), auth=data.draw(auth), accept=data.draw(accept)))

    @rule(data=st.data())
    def list_tags(self, data):
        query = data.draw(st.fixed_dictionaries({}, optional={
            "limit": st.sampled_from(["1", "3", "10", "0", "-1", "x", str(2**70)]),
            "offset": st.sampled_from(["0", "1", "5", "-1", "x", str(2**63)]),
            "search": st.sampled_from(["news", "e", ""]),
            "ordering": st.sampled_from(["name", "-id", "nope"]),
        }))
        self.check(Call("GET", "tags/", query=tuple(query.items()), auth=data.draw(auth), accept=data.draw(accept)))

    @rule(data=st.data())
    def list_comments(self, data):
        query = data.draw(st.fixed_dictionaries({}, optional={
            "cursor": st.sampled_from(self.cursors),
            "post": st.sampled_from(["1", "2", "x", "999"]),
            "author": st.sampled_from(["1", "2", "x"]),
        }))
        self.check(Call("GET", "comments/", query=tuple(query.items()), auth=data.draw(auth), accept=data.draw(accept)))

    @rule(data=st.data(), resource=st.sampled_from(["posts", "tags", "comments", "attachments"]))
    def retrieve(self, data, resource):
        model = {"posts": Post, "tags": Tag, "comments": Comment}.get(resource)
        pk = self.some_id(data, model) if model else data.draw(st.sampled_from(["1", "2", "999"]))
        method = data.draw(st.sampled_from(["GET", "GET", "HEAD", "OPTIONS"]))
        self.check(Call(method, f"{resource}/{pk}/", auth=data.draw(auth), accept=data.draw(accept)))

    @rule(data=st.data(), resource=st.sampled_from(["posts", "tags", "comments", "attachments"]))
    def destroy(self, data, resource):
        model = {"posts": Post, "tags": Tag, "comments": Comment}.get(resource)
        pk = self.some_id(data, model) if model else data.draw(st.sampled_from(["1", "2", "999"]))
        self.check(Call("DELETE", f"{resource}/{pk}/", auth=data.draw(auth)))

    @rule(data=st.data())
    def custom_action(self, data):
        if data.draw(st.booleans()):
            call = Call("POST", f"posts/{self.some_id(data, Post)}/publish/", auth=data.draw(auth))
        else:
            call = Call("GET", "posts/mine/", query=data.draw(st.sampled_from([(), (("search", "hello"),)])),
                        auth=data.draw(auth), accept=data.draw(accept))
        self.check(call)

    @rule(data=st.data())
    def other_methods(self, data):
        """OPTIONS and HEAD on lists and the root; methods a route does not allow."""
        method, path = data.draw(st.sampled_from([
            ("OPTIONS", "posts/"), ("OPTIONS", "tags/"), ("OPTIONS", "comments/"), ("OPTIONS", "attachments/"),
            ("HEAD", "posts/"), ("HEAD", "tags/"), ("GET", ""), ("OPTIONS", "stats/"),
            ("PUT", "posts/"), ("DELETE", "tags/"), ("POST", "posts/1/"), ("PATCH", "stats/"),
            ("DELETE", "posts/mine/"), ("GET", "posts/1/publish/"), ("TRACE", "posts/"),
        ]))
        self.check(Call(method, path, auth=data.draw(auth), accept=data.draw(accept)))

    @rule(data=st.data())
    def stats(self, data):
        self.check(Call("GET", "stats/", auth=data.draw(auth), accept=data.draw(accept)))

    @rule(seconds=st.sampled_from([1, 15, 61, 3600]))
    def time_passes(self, seconds):
        CLOCK.seconds += seconds


def run_machine(actors, examples=EXAMPLES, steps=STEPS, sides=None, differences=DIFFERENCES):
    harness = Harness(actors, differences=differences, **({"sides": sides} if sides else {}))
    machine = type("Oracle", (OracleMachine,), {"harness": harness})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        ),
    )
    return harness


def test_restflow_answers_as_drf(actors):
    """Generated call sequences: every restflow side answers and writes exactly as DRF does."""
    harness = run_machine(actors)
    print(f"oracle: {harness.steps} steps; allowances used: {harness.allowed}")
    print("DRF's answers:", ", ".join(f"{m} {r} {s}: {n}" for (m, r, s), n in sorted(harness.statuses.items())))
    harness.assert_no_differences()
    assert harness.steps >= EXAMPLES


def test_restflow_answers_as_drf_under_atomic_requests(actors):
    """The same with ``ATOMIC_REQUESTS = True``, a common production setting."""
    connection.settings_dict["ATOMIC_REQUESTS"] = True
    try:
        harness = run_machine(actors, examples=max(EXAMPLES // 3, 2))
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False
    harness.assert_no_differences()


def run_calls(actors, calls):
    """The fixed sequence ``calls`` on a freshly seeded blog; fails on any difference not allowed."""
    harness = Harness(actors, differences=DIFFERENCES)
    harness.reset()
    CLOCK.seconds = START.timestamp()
    seed(actors)
    for call in calls:
        harness.check(call)
    harness.assert_no_differences()
    return harness


POST_1 = "http://testserver/drf/posts/1/"

# Each documented difference: calls that show it.
DIFFERENCE_CALLS = {
    "deep-json-is-400": [
        Call("POST", "posts/", body=b'{"title": "Deep", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", auth="basic:alice"),
    ],
    "tampered-cursor-is-404": [
        Call("GET", "comments/", query=(("cursor", "cj0xJnA9YWJj"),)),  # r=1&p=abc: position "abc" for the id
    ],
}


@pytest.mark.parametrize("name", DIFFERENCES)
def test_documented_difference(actors, name):
    """Each documented difference shows on its calls, and nothing else differs there."""
    harness = run_calls(actors, DIFFERENCE_CALLS[name])
    assert harness.allowed.get(name), f"{name} did not show"


def test_documented_differences_are_in_the_docs():
    """Every allowed difference is a row of docs/differences.md naming its test, and the reverse."""
    from pathlib import Path

    table = (Path(__file__).resolve().parents[2] / "docs" / "differences.md").read_text()
    named = set(re.findall(r"test_documented_difference\[([a-z0-9-]+)\]", table))
    assert named == set(DIFFERENCES)


# Differences the oracle found and that were fixed: kept as fixed sequences.
REGRESSIONS = {
    "per-action-choices": [  # DRF branches on self.action, the flow side uses action_configs
        Call("GET", "tags/", query=(("limit", "1"),)),
        Call("DELETE", "tags/2/", auth="basic:alice"),
        Call("DELETE", "tags/2/", auth="basic:carol"),
    ],
    "sync-perform-hooks-run": [
        Call("POST", "posts/", body={"title": "New", "body": "a b"}, auth="basic:alice"),
        Call("POST", "comments/", body={"post": POST_1, "text": "mine"}, auth="token:bob"),
        Call("PATCH", "comments/1/", body={"text": "changed"}, auth="token:bob"),
        Call("DELETE", "tags/1/", auth="basic:carol"),
        Call("DELETE", "tags/2/", auth="session:carol"),
    ],
    "sync-get-queryset-may-query": [
        Call("GET", "posts/", auth="basic:carol"),
        Call("GET", "posts/1/", auth="token:alice"),
    ],
    "update-writes-fields-set-by-save": [
        Call("PATCH", "posts/1/", body={"body": "three new words"}, auth="session:alice"),
        Call("PUT", "posts/1/", body={"title": "Renamed post", "body": "x"}, auth="session:alice"),
    ],
    "browsable-api-on-plain-view": [
        Call("GET", "stats/", accept="text/html"),
        Call("GET", "stats/", query=(("format", "api"),)),
    ],
    "malformed-lookup-404-detail": [
        Call("GET", "posts/abc/"),
        Call("DELETE", "tags/1.5/", auth="basic:alice"),
        Call("POST", "posts/abc/publish/", auth="token:alice"),
    ],
}


@pytest.mark.parametrize("name", REGRESSIONS)
def test_regression(actors, name):
    run_calls(actors, REGRESSIONS[name])


def test_getters_return_the_configured_classes():
    """A DRF class body on restflow: each getter returns instances of exactly the classes DRF's does."""
    for name in ("PostViewSet", "TagViewSet", "CommentViewSet", "AttachmentList", "Stats"):
        drf_view, port_view = getattr(views_drf, name)(), getattr(views_port, name)()
        for view in (drf_view, port_view):
            view.action = "list"
            view.action_map = {"get": "list"}
        for getter in ("get_parsers", "get_renderers", "get_authenticators", "get_permissions", "get_throttles"):
            expected = [type(item) for item in getattr(drf_view, getter)()]
            assert [type(item) for item in getattr(port_view, getter)()] == expected, (name, getter)


def test_action_configs_shared_with_a_read_only_viewset_load():
    """One action_configs mapping shared by a read-write and a read-only viewset: the URLconf loads, as DRF's does."""
    configs = {"create": ActionConfig(serializer_class=PostSerializer)}

    class ReadOnly(resources.PostHooks, AsyncReadOnlyModelViewSet):
        action_configs = configs

    class ReadWrite(resources.PostHooks, AsyncModelViewSet):
        action_configs = configs

    router = DefaultRouter()
    router.register("read-only", ReadOnly, basename="read-only")
    router.register("read-write", ReadWrite, basename="read-write")
    assert len(router.urls) > 4


def test_async_api_client_uploads_like_drf_api_client(actors):
    """``AsyncAPIClient.post(..., format="multipart")`` sends what DRF's APIClient sends."""
    seed(actors)
    alice = actors.users["alice"]
    fields = {"post": str(Post.objects.get(title="Hello").pk), "name": "notes"}  # ids differ on PostgreSQL
    drf_client = APIClient()
    drf_client.force_authenticate(alice)
    expected = drf_client.post(
        "/drf/attachments/", {**fields, "file": SimpleUploadedFile("a.txt", b"hi")}, format="multipart"
    )
    flow_client = AsyncAPIClient()
    flow_client.force_authenticate(alice)

    async def upload():
        return await flow_client.post(
            "/flow/attachments/", {**fields, "file": SimpleUploadedFile("a.txt", b"hi")}, format="multipart"
        )

    answer = async_to_sync(upload)()
    assert expected.status_code == 201, expected.content
    assert (answer.status_code, {**answer.json(), "id": 0}) == (201, {**expected.json(), "id": 0})


def test_the_oracle_sees_a_difference(actors, monkeypatch):
    """A restflow side that forgets what its hook sets is reported, with the part and values that differ."""
    from tests.support.oracleapp import views_flow

    async def forgetful_create(self, serializer):
        await sync_to_async(serializer.save)()

    monkeypatch.setattr(views_flow.PostViewSet, "aperform_create", forgetful_create)
    with pytest.raises(AssertionError) as failure:
        run_calls(actors, [Call("POST", "posts/", body={"title": "New"}, auth="basic:alice")])
    report = str(failure.value)
    assert "flow differs from drf in body, rows oracleapp_post" in report
    assert "'edited_by': None" in report and "port differs" not in report
