"""ORJSONRenderer: the same bytes as DRF's JSONRenderer, and the cases it hands back to it."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from restflow.renderers import ORJSONRenderer

# Without orjson (the ``fast`` extra) ORJSONRenderer is DRF's renderer: these tests hold either way.

CASES = [
    {"a": 1, "b": [1.5, "line\u2028break\u2029", None, True], "c": {"d": decimal.Decimal("1.20")}},
    {
        "aware": datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc),
        "naive": datetime.datetime(2024, 1, 2, 3, 4, 5, 123456),
        "chicago": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo("America/Chicago")),
        "date": datetime.date(2024, 1, 2),
        "time": datetime.time(1, 2, 3, 456789),
        "duration": datetime.timedelta(days=1, seconds=5),
    },
    {"uuid": uuid.UUID(int=7), "lazy": gettext_lazy("Not found."), "bytes": b"abc", 1: "int key", "é": "ünïcode"},
    ReturnDict({"rows": ReturnList([{"id": 1}], serializer=None)}, serializer=None),
    [1, 2**63 - 1, 2**70, -(2**64)],
    {"set": {1}, "tuple": (1, 2), "float": 1e100, "small": 0.1},
    "text",
    0,
    [],
]


@pytest.mark.parametrize("data", CASES)
def test_same_bytes_as_drf(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_none_renders_empty():
    assert ORJSONRenderer().render(None) == b""


@pytest.mark.parametrize("media_type", ["application/json; indent=4", "application/json; indent=2"])
def test_indent_follows_drf(media_type):
    data = {"a": [1, {"b": 2}]}
    assert ORJSONRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)


def test_indent_from_the_browsable_api_context():
    data = {"a": 1}
    context = {"indent": 4}
    assert ORJSONRenderer().render(data, None, context) == JSONRenderer().render(data, None, context)


def test_ascii_and_long_separators_settings_use_drf(monkeypatch):
    data = {"é": [1, 2]}
    for attribute, value in (("ensure_ascii", True), ("compact", False)):
        monkeypatch.setattr(ORJSONRenderer, attribute, value)
        monkeypatch.setattr(JSONRenderer, attribute, value)
        assert ORJSONRenderer().render(data) == JSONRenderer().render(data)
        monkeypatch.undo()


def test_unencodable_value_raises_like_drf():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})
    with pytest.raises(TypeError):
        ORJSONRenderer().render({"x": object()})


def test_same_media_type_and_format():
    assert (ORJSONRenderer.media_type, ORJSONRenderer.format, ORJSONRenderer.charset) == (
        JSONRenderer.media_type,
        JSONRenderer.format,
        JSONRenderer.charset,
    )


# render_on_loop


@pytest.fixture
def finalized():
    """A finalized JSON Response for an ASGI request, as an async view's dispatch leaves it."""
    from django.test import AsyncRequestFactory
    from rest_framework.response import Response
    from rest_framework.views import APIView

    def build(data, renderer=None, django_request=None):
        view = APIView()
        django_request = django_request or AsyncRequestFactory().get("/", headers={"accept": "application/json"})
        request = view.initialize_request(django_request)
        view.request, view.headers, view.format_kwarg = request, {}, None
        request.accepted_renderer, request.accepted_media_type = view.perform_content_negotiation(request)
        if renderer is not None:
            request.accepted_renderer = renderer
        return request, view.finalize_response(request, Response(data))

    return build


async def test_render_on_loop_renders_and_hands_django_a_coroutine(finalized):
    from asgiref.sync import iscoroutinefunction

    from restflow.renderers import render_on_loop

    request, response = finalized({"a": 1})
    assert render_on_loop(request, response) is response
    assert response.content == b'{"a":1}'
    assert iscoroutinefunction(response.render)
    assert await response.render() is response
    assert "render" not in response.__dict__  # a plain DRF Response again
    assert response.render() is response


def test_render_on_loop_only_renders_for_a_sync_handler(finalized):
    from django.test import RequestFactory

    from restflow.renderers import render_on_loop

    request, response = finalized({"a": 1}, django_request=RequestFactory().get("/"))
    render_on_loop(request, response)
    assert response.is_rendered and response.content == b'{"a":1}'
    assert "render" not in response.__dict__  # Django's sync handler calls it: a no-op now
    assert response.render() is response and response.content == b'{"a":1}'


@pytest.mark.parametrize("case", ["browsable", "template_middleware"])
def test_render_on_loop_leaves_others_to_django(finalized, settings, case):
    from rest_framework.renderers import BrowsableAPIRenderer

    from restflow.renderers import render_on_loop

    if case == "browsable":
        request, response = finalized({"a": 1}, renderer=BrowsableAPIRenderer())
    else:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.responses.test_renderers.TemplateResponseMiddleware"]
        request, response = finalized({"a": 1})
    render_on_loop(request, response)
    assert not response.is_rendered
    assert "render" not in response.__dict__


async def test_render_on_loop_leaves_a_lazy_queryset_to_django(finalized, db):
    from tests.support.testapp.models import Category

    from restflow.renderers import render_on_loop

    request, response = finalized({"rows": Category.objects.values("name")})
    render_on_loop(request, response)  # the encoder would query on the loop: left to the hop
    assert not response.is_rendered
    assert "render" not in response.__dict__


class TemplateResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        return response


@pytest.mark.parametrize("renderer", [JSONRenderer, ORJSONRenderer])
async def test_render_on_loop_escapes_a_lone_surrogate_instead_of_failing(finalized, renderer):
    import json

    from restflow.renderers import render_on_loop

    data = {"status": ['"\ud800" is not a valid choice.'], "name": ["é"]}
    with pytest.raises(UnicodeEncodeError):  # DRF's renderer alone: a 500
        renderer().render(data)
    request, response = finalized(data, renderer=renderer())
    render_on_loop(request, response)
    assert response.is_rendered and response.content.isascii()
    assert json.loads(response.content) == data


@pytest.mark.urls("tests.writes.test_create_requests")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("client_class", ["AsyncAPIClient", "APIClient"])
async def test_an_echoed_lone_surrogate_is_a_400_from_an_async_viewset(client_class):
    import json

    from asgiref.sync import sync_to_async
    from rest_framework.test import APIClient

    from restflow.test import AsyncAPIClient

    body = '{"name": "x", "sku": "surrogate", "price": 1, "status": "\\ud800"}'  # the JSON escape
    if client_class == "APIClient":  # Django's sync handler
        post = sync_to_async(APIClient().post)
    else:
        post = AsyncAPIClient().post
    response = await post("/restflow/products/", body, content_type="application/json")
    assert response.status_code == 400
    assert json.loads(response.content) == {"status": ['"\ud800" is not a valid choice.']}
