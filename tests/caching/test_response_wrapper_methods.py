"""A ``cache_response`` method's wrapper methods called outside dispatch, as from a test or a task:
``bypass_cache`` and ``refresh`` render the view's answer (negotiated as DRF would), ``refresh``
stores it, ``delete_cache`` drops it."""

import pytest
from django.urls import path
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from restflow.caching import CACHE_MISSING, cache_response

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

calls = []


class SearchView(APIView):
    @cache_response(ttl=60, set_cache_headers=True)
    def get(self, request):
        calls.append(request.GET.get("q"))  # a DRF Request through dispatch, the test's request outside it
        return Response({"q": request.GET.get("q"), "call": len(calls)})


urlpatterns = [path("items/", SearchView.as_view())]


@pytest.fixture(autouse=True)
def _fresh_calls():
    calls.clear()


@pytest.fixture
def client():
    return APIClient()


def _request(**headers):
    return APIRequestFactory().get("/items/", {"q": "python"}, **headers)


def test_bypass_cache_runs_and_renders_without_storing(client):
    response = SearchView.get.bypass_cache(SearchView(), _request())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"q":"python","call":1}'
    assert SearchView.get.get_cache_only(SearchView(), _request()) is CACHE_MISSING
    assert client.get("/items/?q=python").json() == {"q": "python", "call": 2}


def test_refresh_renders_and_stores_and_delete_cache_drops():
    """The entry is keyed by the arguments given (outside dispatch the request has no negotiated media
    type or user, so its key is its own): the same arguments read it back, and delete it."""
    response = SearchView.get.refresh(SearchView(), _request())
    assert response.status_code == 200 and response.content == b'{"q":"python","call":1}'
    stored = SearchView.get.get_cache_only(SearchView(), _request())
    assert stored.content == b'{"q":"python","call":1}' and stored["Content-Type"] == "application/json"
    SearchView.get.delete_cache(SearchView(), _request())
    assert SearchView.get.get_cache_only(SearchView(), _request()) is CACHE_MISSING
    assert calls == ["python"]


class TextRenderer(JSONRenderer):
    media_type = "text/plain"
    format = "txt"


class TwoRenderers(SearchView):
    renderer_classes = [JSONRenderer, TextRenderer]


@pytest.mark.parametrize(("accept", "media_type"), [("text/plain", "text/plain"), ("image/png", "application/json")])
def test_outside_dispatch_the_accept_header_is_negotiated(accept, media_type):
    """As DRF's negotiation picks; an Accept no renderer fits gets the first renderer (no 406 to give)."""
    response = TwoRenderers.get.bypass_cache(TwoRenderers(), _request(HTTP_ACCEPT=accept))
    assert response["Content-Type"].split(";")[0] == media_type
