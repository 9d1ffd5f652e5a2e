"""Only GET and HEAD are answered from the response cache or stored in it, through real routing.

A cached action that also accepts writes must run every write, and a write's answer must
never be served to a later read.
"""

import pytest
from django.urls import include, path
from rest_framework.decorators import action, api_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from restflow.caching import cache_response
from restflow.views import AsyncViewSet

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

runs = []


class NotesViewSet(AsyncViewSet):
    permission_classes = [AllowAny]

    @action(detail=False, methods=["get", "post", "put", "patch", "delete"])
    @cache_response(ttl=60, set_cache_headers=True)
    async def board(self, request):
        runs.append(request.method)
        return Response({"method": request.method, "run": len(runs)})


@api_view(["GET", "POST"])
@cache_response(ttl=60, set_cache_headers=True)
def sync_board(request):
    runs.append(request.method)
    return Response({"method": request.method, "run": len(runs)})


router = DefaultRouter()
router.register("notes", NotesViewSet, basename="notes")
urlpatterns = [path("", include(router.urls)), path("sync-board/", sync_board)]


@pytest.fixture(autouse=True)
def _no_runs():
    runs.clear()


@pytest.mark.parametrize("url", ["/notes/board/", "/sync-board/"])
async def test_every_post_runs_and_none_is_a_cache_hit(client, url):
    answers = [await client.post(url, {}, format="json") for _ in range(3)]
    assert [answer.json()["run"] for answer in answers] == [1, 2, 3]
    assert runs == ["POST"] * 3
    assert all("X-Cache-status" not in answer for answer in answers)


@pytest.mark.parametrize("url", ["/notes/board/", "/sync-board/"])
async def test_a_posts_answer_is_never_served_to_a_get(client, url):
    await client.post(url, {}, format="json")
    first, second = await client.get(url), await client.get(url)
    assert first.json() == second.json() == {"method": "GET", "run": 2}
    assert (first["X-Cache-status"], second["X-Cache-status"]) == ("MISS", "HIT")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
async def test_other_writes_bypass_a_warm_entry(client, method):
    await client.get("/notes/board/")
    answer = await getattr(client, method)("/notes/board/", {}, format="json")
    assert answer.json() == {"method": method.upper(), "run": 2} and "X-Cache-status" not in answer
    assert (await client.get("/notes/board/"))["X-Cache-status"] == "HIT"


async def test_head_is_answered_from_the_get_entry(client):
    await client.get("/notes/board/")
    head = await client.head("/notes/board/")
    assert head.status_code == 200 and head["X-Cache-status"] == "HIT" and runs == ["GET"]
