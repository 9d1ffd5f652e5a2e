"""``@cache_result`` on a view method that returns a DRF Response: the answer is cached and served again."""

import pytest
from django.test import Client
from django.urls import path
from rest_framework.response import Response

from restflow.caching import ConstantKeyField, cache_result
from restflow.views import APIView, AsyncAPIView

pytestmark = pytest.mark.urls(__name__)
calls = []


class SyncView(APIView):
    @cache_result(key_constructor={"fields": {"v": ConstantKeyField("v", "sync")}})
    def get(self, request):
        calls.append("sync")
        return Response({"value": 10}, headers={"X-Made": "once"})


class AsyncView(AsyncAPIView):
    @cache_result(key_constructor={"fields": {"v": ConstantKeyField("v", "async")}})
    async def get(self, request):
        calls.append("async")
        return Response({"value": 20}, status=201)


urlpatterns = [path("sync/", SyncView.as_view()), path("async/", AsyncView.as_view())]


@pytest.mark.parametrize(("url", "body", "status"), [("/sync/", {"value": 10}, 200), ("/async/", {"value": 20}, 201)])
def test_a_cached_response_is_served_again_rendered_per_request(url, body, status):
    calls.clear()
    first, second = Client().get(url), Client().get(url)
    assert (first.status_code, first.json()) == (second.status_code, second.json()) == (status, body)
    assert len(calls) == 1
    if url == "/sync/":
        assert second["X-Made"] == "once"
