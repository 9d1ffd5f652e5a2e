"""Code written for DRF keeps its meaning on restflow: the browsable API on plain views, the
configured parser and renderer classes, configuration mistakes reported by system checks."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.asgi import get_asgi_application
from django.db import connections
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from restflow.views import AsyncAPIView
from tests.support.compat_urls import NoteViewSet
from tests.support.compatapp.models import Note

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.compat_urls")]


# --- ATOMIC_REQUESTS ---------------------------------------------------------------------------


@pytest.fixture
def atomic_requests(monkeypatch):
    """ATOMIC_REQUESTS on for the default database, as a project's DATABASES would set it."""
    monkeypatch.setitem(connections.settings["default"], "ATOMIC_REQUESTS", True)
    assert connections["default"].settings_dict["ATOMIC_REQUESTS"] is True


@pytest.fixture(params=["django", "restflow"])
async def asgi(request):
    """An HTTP client on Django's ASGI handler (a new sync thread per request) and on restflow's
    (a pooled worker thread per request)."""
    from restflow.asgi import get_asgi_application as restflow_asgi_application

    app = get_asgi_application() if request.param == "django" else restflow_asgi_application()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_atomic_requests_views_answer(atomic_requests, asgi):
    """Every kind of restflow view answers under ATOMIC_REQUESTS: reads, writes, plain views."""
    created = await asgi.post("/c/notes/", json={"title": "Hello there", "body": "a b c"})
    assert created.status_code == 201, created.text
    pk = created.json()["id"]
    assert (await asgi.get("/c/notes/")).status_code == 200
    assert (await asgi.patch(f"/c/notes/{pk}/", json={"body": "x"})).status_code == 200
    assert (await asgi.get("/c/plain/")).json() == {"hello": "world"}
    assert (await asgi.delete(f"/c/notes/{pk}/")).status_code == 204
    assert await Note.objects.acount() == 0


@pytest.mark.parametrize("fail", ["api", "crash"])
async def test_atomic_requests_handler_that_raises_after_a_write_leaves_nothing(atomic_requests, asgi, caplog, fail):
    """A handler that writes then raises (a 400 from DRF's exception handler, or a 500): no row left."""
    caplog.set_level(logging.CRITICAL, logger="django.request")
    response = await asgi.post("/c/write-then-fail/", json={"title": "ghost", "fail": fail})
    assert response.status_code == (400 if fail == "api" else 500)
    assert await Note.objects.acount() == 0
    assert (await asgi.post("/c/write-then-fail/", json={"title": "kept"})).status_code == 201
    assert await Note.objects.acount() == 1


def answer_without_rollback(exc, context):
    """A project's exception handler that answers without DRF's ``set_rollback()``."""
    from rest_framework.response import Response

    return Response({"handled": str(exc)}, status=418)


async def test_atomic_requests_rollback_whatever_the_exception_handler(atomic_requests, asgi, settings):
    """Documented difference: a response made from an exception rolls back even when the project's
    exception handler does not call ``set_rollback()`` (DRF would commit)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": f"{__name__}.answer_without_rollback"}
    response = await asgi.post("/c/write-then-fail/", json={"title": "ghost", "fail": "api"})
    assert response.status_code == 418
    assert await Note.objects.acount() == 0


async def test_atomic_requests_sync_handler_that_raises_leaves_nothing(atomic_requests, asgi):
    """A sync handler's ORM write shares the request's transaction."""
    response = await asgi.post("/c/write-then-fail/sync_write/", json={})
    assert response.status_code == 400
    assert await Note.objects.acount() == 0


async def test_atomic_requests_non_atomic_requests_handler_is_honoured(atomic_requests, asgi):
    """``@transaction.non_atomic_requests`` on a handler: its writes stand, as Django does."""
    response = await asgi.post("/c/write-then-fail/unguarded/", json={})
    assert response.status_code == 400
    assert await Note.objects.filter(title="kept").acount() == 1


@pytest.mark.parametrize(
    ("path", "kept"),
    [("/c/write-then-fail-view/", 0), ("/c/non-atomic-dispatch/", 1), ("/c/non-atomic-urlconf/", 1)],
)
async def test_atomic_requests_plain_view_and_its_exemptions(atomic_requests, asgi, path, kept):
    """A plain AsyncAPIView is covered too; ``non_atomic_requests`` on dispatch or in the URLconf exempts it."""
    assert (await asgi.post(path, json={})).status_code == 400
    assert await Note.objects.acount() == kept


async def test_atomic_requests_through_the_test_client(atomic_requests, client):
    """Django's test client applies ATOMIC_REQUESTS as its handler does: restflow views answer."""
    assert (await client.post("/c/write-then-fail/", {"title": "t", "fail": "api"})).status_code == 400
    assert (await client.post("/c/write-then-fail/", {"title": "t"})).status_code == 201
    assert await Note.objects.acount() == 1


async def test_without_atomic_requests_a_write_before_a_failure_stands(asgi):
    """The setting off: a request is not one transaction (Django's default, DRF's too)."""
    response = await asgi.post("/c/write-then-fail/", json={"title": "stays", "fail": "api"})
    assert response.status_code == 400
    assert await Note.objects.acount() == 1


# --- sync perform_* hooks ----------------------------------------------------------------------


async def test_sync_perform_hooks_are_called(client):
    """perform_create / perform_update / perform_destroy left from DRF run, with DRF's semantics."""
    created = await client.post("/c/sync-hooks/", {"title": "t"})
    assert created.status_code == 201
    assert created.json()["author"] == "sync-create"
    pk = created.json()["id"]
    assert (await Note.objects.aget(pk=pk)).author == "sync-create"
    updated = await client.patch(f"/c/sync-hooks/{pk}/", {"body": "b"})
    assert updated.json()["author"] == "sync-update"
    assert (await Note.objects.aget(pk=pk)).author == "sync-update"
    assert (await client.delete(f"/c/sync-hooks/{pk}/")).status_code == 204
    assert (await Note.objects.aget(pk=pk)).hidden is True


@pytest.mark.parametrize(
    ("path", "author"),
    [("/c/both-hooks/", "async"), ("/c/sync-over-async/", "sync-subclass")],
)
async def test_most_specific_write_hook_wins(client, path, author):
    """Both spellings on one class: ``aperform_create``; a subclass's sync override beats its base's async one."""
    created = await client.post(path, {"title": "t"})
    assert created.status_code == 201
    assert (await Note.objects.aget(pk=created.json()["id"])).author == author


async def test_sync_hook_that_raises_after_its_save_leaves_nothing(client):
    """The sync hook runs in the write's transaction: a failure after its save undoes it."""
    response = await client.post("/c/hook-raises/", {"title": "t"})
    assert response.status_code == 400
    assert response.json() == {"author": ["refused after the save"]}
    assert await Note.objects.acount() == 0


# --- sync get_queryset that queries -------------------------------------------------------------


async def test_sync_get_queryset_that_queries(client):
    """A sync get_queryset evaluating a query: list and retrieve answer (it runs in a hop)."""
    shown = await Note.objects.acreate(title="shown")
    await Note.objects.acreate(title="hidden", hidden=True)
    for _ in range(2):  # the second time through the remembered path
        listed = await client.get("/c/querying/")
        assert listed.status_code == 200, listed.content
        assert [note["title"] for note in listed.json()] == ["shown"]
    assert (await client.get(f"/c/querying/{shown.pk}/")).json()["title"] == "shown"


# --- fields set by save() and pre_save ----------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
async def test_fields_set_by_save_and_pre_save_are_written(client, method):
    """The model's save() sets slug, a pre_save receiver word_count: both reach the database."""
    note = await Note.objects.acreate(title="Old title", body="one")
    assert (note.slug, note.word_count) == ("old-title", 1)
    response = await getattr(client, method)(f"/c/notes/{note.pk}/", {"title": "New title", "body": "one two three"})
    assert response.status_code == 200
    assert (response.json()["slug"], response.json()["word_count"]) == ("new-title", 3)
    fresh = await Note.objects.aget(pk=note.pk)
    assert (fresh.title, fresh.slug, fresh.word_count) == ("New title", "new-title", 3)


async def test_patch_writes_only_changed_fields(client):
    """A PATCH does not write back fields it did not change (a concurrent change to them survives)."""
    note = await Note.objects.acreate(title="t", body="one")
    # Another writer changes ``hidden`` after this request loaded the row: emulated by
    # changing it between the load and the save, through the save() it calls.
    original_save = Note.save

    def save(self, *args, **kwargs):
        Note.objects.filter(pk=self.pk).update(hidden=True)
        original_save(self, *args, **kwargs)

    Note.save = save
    try:
        response = await client.patch(f"/c/notes/{note.pk}/", {"body": "one two"})
    finally:
        Note.save = original_save
    assert response.status_code == 200
    fresh = await Note.objects.aget(pk=note.pk)
    assert (fresh.hidden, fresh.body, fresh.word_count) == (True, "one two", 2)


async def test_patch_of_a_row_deleted_meanwhile_is_404_and_does_not_bring_it_back(client):
    """Another writer deletes the row after this request loaded it: 404, and no INSERT brings it back
    (DRF's full save would insert it again). The deletion is emulated inside the request's save."""
    from django.db.models.signals import post_save

    note = await Note.objects.acreate(title="t", body="one")
    original_save = Note.save
    created = []

    def save(self, *args, **kwargs):
        Note.objects.filter(pk=self.pk).delete()
        original_save(self, *args, **kwargs)

    def record(sender, instance, created_now=None, **kwargs):
        created.append(kwargs.get("created"))

    Note.save = save
    post_save.connect(record, sender=Note, dispatch_uid="test.deleted_meanwhile")
    try:
        response = await client.patch(f"/c/notes/{note.pk}/", {"body": "one two"})
    finally:
        Note.save = original_save
        post_save.disconnect(dispatch_uid="test.deleted_meanwhile", sender=Note)
    assert response.status_code == 404
    assert created == []


async def test_an_empty_patch_writes_nothing_back_but_still_saves(client):
    """No field changed: the save still runs (its signals too) and undoes no concurrent change."""
    note = await Note.objects.acreate(title="t", body="one")
    original_save = Note.save
    saves = []

    def save(self, *args, **kwargs):
        Note.objects.filter(pk=self.pk).update(title="changed elsewhere", hidden=True)
        saves.append(self.pk)
        original_save(self, *args, **kwargs)

    Note.save = save
    try:
        response = await client.patch(f"/c/notes/{note.pk}/", {})
    finally:
        Note.save = original_save
    assert response.status_code == 200 and saves == [note.pk]
    fresh = await Note.objects.aget(pk=note.pk)
    assert (fresh.title, fresh.hidden) == ("changed elsewhere", True)


# --- the browsable API on plain views ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/c/plain/", "/c/versioned/", "/c/plain-post/"])
async def test_browsable_api_on_a_plain_view(client, path):
    """The browsable API on an AsyncAPIView with no get_queryset (with header versioning, with a
    ``post`` and no serializer): 200."""
    from restflow import renderers

    response = await client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert b"world" in response.content
    assert type(response.accepted_renderer) is renderers.BrowsableAPIRenderer


# --- getters return the configured classes -------------------------------------------------------


def test_get_parsers_and_renderers_give_the_configured_classes():
    view = AsyncAPIView()
    assert [type(parser) for parser in view.get_parsers()] == [JSONParser, FormParser, MultiPartParser]
    assert [type(renderer) for renderer in view.get_renderers()] == [JSONRenderer, BrowsableAPIRenderer]
    viewset = NoteViewSet(action="list")
    assert [type(parser) for parser in viewset.get_parsers()] == [JSONParser, FormParser, MultiPartParser]
    assert [type(renderer) for renderer in viewset.get_renderers()] == [JSONRenderer, BrowsableAPIRenderer]


async def test_json_nested_too_deep_is_400_with_drf_parser(client):
    body = "[" * 100_000 + "]" * 100_000
    response = await client.post("/c/notes/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


# --- configuration mistakes: system checks and ActionConfig's own checks ------------------------


def _restflow_messages():
    from django.core.checks import run_checks

    return [message for message in run_checks() if message.id.startswith("restflow.")]


def test_misspelt_action_configs_key_is_a_check_warning(settings):
    """A key naming no action: ``manage.py check`` warns (restflow.W001); routing still works."""
    settings.ROOT_URLCONF = "tests.support.compat_checks_urls"
    messages = _restflow_messages()
    assert [(message.id, message.obj.__name__) for message in messages] == [
        ("restflow.W001", "TypoViewSet"),
        ("restflow.W001", "ReadOnlyNotes"),
        ("restflow.W002", "NotAViewSet"),
    ]
    assert "'lst'" in messages[0].msg and "'create'" in messages[1].msg


@pytest.mark.urls("tests.support.compat_checks_urls")
async def test_shared_action_configs_on_a_read_only_viewset_route(client):
    """One mapping shared by a read-write and a read-only viewset: both are routed and answer."""
    await Note.objects.acreate(title="t")
    assert (await client.get("/ro/")).json()[0]["title"] == "t"
    assert (await client.post("/rw/", {"title": "u"})).status_code == 201


def test_checks_clean_for_a_correct_urlconf(settings):
    settings.ROOT_URLCONF = "tests.support.compat_urls"
    assert _restflow_messages() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("serializer_class", "NoteSerializer"),
        ("permission_classes", object),
        ("permission_classes", ["not a class"]),
        ("queryset", 3),
        ("pagination_class", 10),
        ("cache", 300),
        ("cache", "notacache"),
        ("cache", True),
    ],
)
def test_action_config_field_of_the_wrong_shape_is_refused(field, value):
    from restflow.views import ActionConfig

    with pytest.raises(TypeError, match=f"ActionConfig.{field} must be"):
        ActionConfig(**{field: value})


SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
SHOP_CHECK = """
import django
django.setup()
from django.core.management import call_command
from restflow.views import ActionConfig
call_command("check")
from catalog.views import ProductViewSet
ProductViewSet.action_configs = {**ProductViewSet.action_configs, "retreive": ActionConfig()}
call_command("check")
"""


def test_manage_py_check_on_the_example_shop(tmp_path):
    """``check`` on the example shop: clean; with a misspelt action_configs key, restflow.W001."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        SHOP_SQLITE_PATH=str(tmp_path / "check.sqlite3"),
        PYTHONPATH=os.pathsep.join([str(SHOP), str(SHOP.parents[1])]),
    )
    result = subprocess.run(
        [sys.executable, "-c", SHOP_CHECK], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("System check identified", 1)[1], result.stderr + result.stdout
    assert first.startswith(" no issues (0 silenced)."), result.stdout
    assert "restflow.W001" in second and "'retreive'" in second
