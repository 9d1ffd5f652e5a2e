"""restflow's streaming-responses page (guide/responses), section by section, through real routes.

Every test is named after the section it checks (``test_<section>__<what>``);
``test_every_section_is_walked`` keeps the list whole. Streaming over a real server (uvicorn and a
WSGI server, incremental reads, memory, disconnects) is in tests/responses/test_streaming_over_servers.py.
"""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.http import StreamingHttpResponse
from django.test import Client
from rest_framework.response import Response

from restflow.responses import NDJSONResponse, SSEResponse, StreamingJSONListResponse, stream_queryset
from tests.support import streams_urls
from tests.support.streams_urls import TRACE, FloatDecimalEncoder, numbers
from tests.support.testapp.models import Category, Product, Review

pytestmark = [pytest.mark.urls("tests.support.streams_urls")]

SECTIONS = [
    "responses",
    "response_types",
    "async_iterable_contract",
    "streamingjsonlistresponse",
    "ndjsonresponse",
    "sseresponse",
    "headers_set_by_sseresponse",
    "reconnection",
    "headers_and_status",
    "encoder_customisation",
    "error_handling_during_streaming",
    "backpressure_and_asgi",
    "integration_with_views",
]


@pytest.fixture(autouse=True)
def _clear_trace():
    TRACE.clear()


async def body(response):
    assert response.streaming
    return b"".join([chunk async for chunk in response.streaming_content])


async def chunks(response):
    return [chunk async for chunk in response.streaming_content]


def parse_sse(data):
    """Events of an event stream, parsed as the WHATWG HTML spec's EventSource does.

    Returns (events, last_event_id, retry, comments): each event a dict of type, data, id.
    """
    events, comments = [], []
    data_lines, event_type, last_id, retry = [], "", "", None
    for line in data.decode().replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if data_lines:
                events.append({"type": event_type or "message", "data": "\n".join(data_lines), "id": last_id})
            data_lines, event_type = [], ""
            continue
        if line.startswith(":"):
            comments.append(line[1:].strip())
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data_lines.append(value)
        elif field == "event":
            event_type = value
        elif field == "id" and "\0" not in value:
            last_id = value
        elif field == "retry" and value.isdigit():
            retry = int(value)
    return events, last_id, retry, comments


# Responses


def test_responses__importable_and_streaming_http_responses():
    for cls in (NDJSONResponse, SSEResponse, StreamingJSONListResponse):
        assert issubclass(cls, StreamingHttpResponse) and not issubclass(cls, Response)


@pytest.mark.parametrize("kind", ["json", "ndjson"])
async def test_responses__django_json_encoder_types(client, kind):
    data = await body(await client.get(f"/typed/?as={kind}"))
    item = json.loads(data)[0] if kind == "json" else json.loads(data.splitlines()[0])
    assert item == {
        "when": "2026-01-01T12:30:00Z",
        "day": "2026-01-01",
        "at": "08:15:00",
        "id": "12345678-1234-5678-1234-567812345678",
        "price": "9.99",
        "label": "Active",
        "name": "Caf\u00e9",
    }


# Response Types


async def test_response_types__each_frames_the_same_items_its_own_way(client):
    as_list = await body(await client.get("/json-list/?n=2"))
    as_lines = await body(await client.get("/ndjson/?n=2"))
    as_events = await body(await client.get("/sse/"))
    assert json.loads(as_list) == [{"id": 0}, {"id": 1}]
    assert [json.loads(line) for line in as_lines.splitlines()] == [{"id": 0}, {"id": 1}]
    assert parse_sse(as_events)[0][0] == {"type": "start", "data": "job-42", "id": ""}


# Async iterable contract


async def test_async_iterable_contract__an_async_generator_is_iterated_once_item_by_item(client):
    response = await client.get("/json-list/?n=3")
    assert TRACE == []  # nothing runs before the body is read
    assert json.loads(await body(response)) == [{"id": 0}, {"id": 1}, {"id": 2}]
    assert TRACE == [("start", "numbers"), *[("item", "numbers", n) for n in range(3)], ("closed", "numbers")]


async def make_products(count):
    category = await Category.objects.acreate(name="tools")
    products = [
        await Product.objects.acreate(name=f"p{n}", sku=f"sku-{n}", price=n, category=category if n % 2 else None)
        for n in range(count)
    ]
    await Review.objects.acreate(product=products[1], author="ann", rating=4)
    return products


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/rows/?chunk=2", "/rows/?chunk=5", "/rows/?chunk=500", "/rows/aiterator/"])
async def test_async_iterable_contract__a_queryset_iterated_in_chunks(client, path):
    products = await make_products(5)
    data = await body(await client.get(path))
    rows = json.loads(data) if data.startswith(b"[") else [json.loads(line) for line in data.splitlines()]
    assert rows == [{"id": p.id, "name": p.name} for p in products]


@pytest.mark.django_db(transaction=True)
async def test_async_iterable_contract__a_queryset_passed_directly_is_fetched_in_chunks(client):
    products = await make_products(3)
    data = await body(await client.get("/rows/queryset/"))
    assert [json.loads(line) for line in data.splitlines()] == [{"id": p.id, "name": p.name} for p in products]


@pytest.mark.django_db(transaction=True)
async def test_async_iterable_contract__a_serializer_per_row_may_query(client):
    """stream_queryset serializes each chunk in the hop that fetched it: related lookups work."""
    products = await make_products(3)
    rows = json.loads(await body(await client.get("/rows/?serialize&chunk=2")))
    assert [(row["id"], row["category"], row["review_count"]) for row in rows] == [
        (products[0].id, None, 0),
        (products[1].id, {"id": products[1].category_id, "name": "tools"}, 1),
        (products[2].id, None, 0),
    ]


def test_async_iterable_contract__anything_else_is_refused_at_construction():
    with pytest.raises(TypeError, match="async iterable"):
        NDJSONResponse([{"id": 1}])
    with pytest.raises(TypeError, match=r"QuerySet.iterator\(\) is synchronous"):
        NDJSONResponse(Product.objects.iterator())


@pytest.mark.django_db(transaction=True)
async def test_async_iterable_contract__stream_queryset_closes_its_cursor_when_stopped_early():
    await make_products(5)
    rows = stream_queryset(Product.objects.order_by("id"), chunk_size=2)
    first = await anext(rows)
    await rows.aclose()
    assert first.name == "p0"
    assert await Product.objects.acount() == 5  # the connection is usable afterwards


# StreamingJSONListResponse


async def test_streamingjsonlistresponse__compact_array_one_element_at_a_time(client):
    response = await client.get("/json-list/?n=2")
    assert response["Content-Type"] == "application/json"
    parts = await chunks(response)
    assert parts == [b"[", b'{"id":0}', b',{"id":1}', b"]"]


async def test_streamingjsonlistresponse__empty_iterable_is_an_empty_array(client):
    assert await body(await client.get("/json-list/?n=0")) == b"[]"


async def test_streamingjsonlistresponse__the_bracket_comes_before_the_first_item():
    gate = asyncio.Event()

    async def slow():
        await gate.wait()
        yield {"id": 1}

    response = StreamingJSONListResponse(slow())
    stream = aiter(response)
    assert await anext(stream) == b"["
    following = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.01)
    assert not following.done()
    gate.set()
    assert await following == b'{"id":1}'
    assert [chunk async for chunk in stream] == [b"]"]


async def test_streamingjsonlistresponse__content_type_override(client):
    response = await client.get("/json-list/?ct=application/vnd.api%2Bjson")
    assert response["Content-Type"] == "application/vnd.api+json"


# NDJSONResponse


async def test_ndjsonresponse__one_object_per_line_with_a_trailing_newline(client):
    response = await client.get("/ndjson/?n=2")
    assert response["Content-Type"] == "application/x-ndjson"
    assert await chunks(response) == [b'{"id":0}\n', b'{"id":1}\n']


async def test_ndjsonresponse__encoder_keyword(client):
    data = await body(await client.get("/encoded/?as=ndjson"))
    assert data == b'{"total":9.99}\n{"total":10.5}\n'


# SSEResponse


async def test_sseresponse__strings_and_dicts_become_frames(client):
    data = await body(await client.get("/sse/"))
    assert data.startswith(b"event: start\ndata: job-42\n\nid: 0\nevent: progress\ndata: {\"pct\": 0}\n\n")
    assert b'id: 50\nevent: progress\ndata: {"pct": 50}\n\n' in data
    assert b"event: done\nretry: 1500\ndata: job-42\n\n" in data
    assert data.endswith(b"data: line one\ndata: line two\ndata: line three\n\n")


async def test_sseresponse__a_spec_parser_reads_the_events(client):
    events, last_id, retry, _ = parse_sse(await body(await client.get("/sse/")))
    assert events == [
        {"type": "start", "data": "job-42", "id": ""},
        {"type": "progress", "data": '{"pct": 0}', "id": "0"},
        {"type": "progress", "data": '{"pct": 50}', "id": "50"},
        {"type": "progress", "data": '{"pct": 100}', "id": "100"},
        {"type": "done", "data": "job-42", "id": "100"},
        {"type": "message", "data": "line one\nline two\nline three", "id": "100"},
    ]
    assert (last_id, retry) == ("100", 1500)


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "1\n2"), ("event", "a\rb"), ("retry", "10\n"), ("id", "a\x00b"), ("retry", "soon"), ("retry", "-5")],
)
async def test_sseresponse__cr_lf_and_bad_values_are_a_value_error(client, field, value):
    response = await client.get("/sse/bad/", {"field": field, "value": value})
    stream = aiter(response.streaming_content)
    assert await anext(stream) == b"data: fine\n\n"
    with pytest.raises(ValueError, match=f"SSE field '{field}'"):
        await anext(stream)


async def test_sseresponse__unknown_fields_and_other_types_fail_loudly():
    async def items(*values):
        for value in values:
            yield value

    with pytest.raises(ValueError, match="unknown SSE field"):
        [chunk async for chunk in SSEResponse(items({"data": "x", "evnt": "typo"}))]
    with pytest.raises(TypeError, match="str or a dict"):
        [chunk async for chunk in SSEResponse(items(42))]


async def test_sseresponse__keep_alive_comments_while_the_source_is_quiet(client):
    data = await body(await client.get("/sse/keep-alive/"))
    events, _, _, comments = parse_sse(data)
    assert [event["data"] for event in events] == ["first", "second"]
    assert len(comments) >= 2 and set(comments) == {"keep-alive"}
    assert data.startswith(b"data: first\n\n: keep-alive\n\n")


def test_sseresponse__keep_alive_must_be_positive_or_none():
    with pytest.raises(ValueError, match="keep_alive"):
        SSEResponse(numbers(1), keep_alive=0)
    assert SSEResponse(numbers(1), keep_alive=None).keep_alive is None


# Headers set by SSEResponse


async def test_headers_set_by_sseresponse__no_cache_no_buffering_event_stream(client):
    response = await client.get("/sse/")
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"


def test_headers_set_by_sseresponse__a_value_given_by_the_view_is_kept():
    response = SSEResponse(numbers(1), headers={"Cache-Control": "no-store"})
    assert response["Cache-Control"] == "no-store"
    assert response["X-Accel-Buffering"] == "no"


# Reconnection


async def test_reconnection__last_event_id_is_the_applications_to_honour(client):
    events, last_id, _, _ = parse_sse(await body(await client.get("/sse/reconnect/")))
    assert [event["id"] for event in events] == ["1", "2", "3"]
    events, _, _, _ = parse_sse(await body(await client.get("/sse/reconnect/", headers={"Last-Event-ID": last_id})))
    assert [event["data"] for event in events] == ["event 4", "event 5", "event 6"]


# Headers and status


async def test_headers_and_status__keywords_go_to_streaming_http_response(client):
    response = await client.get("/ndjson/")
    assert response.status_code == 200
    assert response["X-Total-Count"] == "3"
    assert NDJSONResponse(numbers(1), status=206).status_code == 206


async def test_headers_and_status__cors_headers(client):
    response = await client.get("/sse/cors/")
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response["Access-Control-Allow-Credentials"] == "true"


# Encoder customisation


async def test_encoder_customisation__custom_encoder_instantiated_once_per_response(client):
    FloatDecimalEncoder.instances = 0
    data = await body(await client.get("/encoded/?as=json"))
    assert json.loads(data) == [{"total": 9.99}, {"total": 10.5}]
    assert FloatDecimalEncoder.instances == 1


async def test_encoder_customisation__sse_encodes_with_django_json_encoder():
    from decimal import Decimal

    async def one():
        yield {"event": "order", "data": {"total": Decimal("9.99")}}
        yield {"event": "order", "data": json.dumps({"total": 9.99})}

    data = b"".join([chunk async for chunk in SSEResponse(one())])
    assert data == b'event: order\ndata: {"total": "9.99"}\n\nevent: order\ndata: {"total": 9.99}\n\n'


# Error handling during streaming


async def test_error_handling_during_streaming__json_list_still_closes_the_array(client):
    response = await client.get("/json-list/failing/")
    received = []
    with pytest.raises(RuntimeError, match="the source broke"):
        async for chunk in response.streaming_content:
            received.append(chunk)
    assert json.loads(b"".join(received)) == [{"id": 0}, {"id": 1}]


async def test_error_handling_during_streaming__ndjson_truncates_lines_intact(client):
    response = await client.get("/ndjson/failing/")
    received = []
    with pytest.raises(RuntimeError):
        async for chunk in response.streaming_content:
            received.append(chunk)
    assert [json.loads(line) for line in b"".join(received).splitlines()] == [{"id": 0}, {"id": 1}]


async def test_error_handling_during_streaming__a_final_error_record(client):
    data = await body(await client.get("/ndjson/safe/"))
    assert [json.loads(line) for line in data.splitlines()][-1] == {"event": "error", "data": "the source broke"}


# Backpressure and ASGI (the server-level behaviour is in tests/responses/test_streaming_over_servers.py)


async def test_backpressure_and_asgi__x_accel_buffering_set_explicitly(client):
    assert (await client.get("/proxied/"))["X-Accel-Buffering"] == "no"


async def test_backpressure_and_asgi__the_source_waits_for_the_consumer():
    response = NDJSONResponse(numbers(1000, "paced"))
    stream = aiter(response)
    await anext(stream)
    await asyncio.sleep(0.01)
    assert len([entry for entry in TRACE if entry[0] == "item"]) == 1
    await stream.aclose()
    assert TRACE[-1] == ("closed", "paced")


async def test_backpressure_and_asgi__a_stream_wrapped_by_gzip_middleware_streams_and_is_closed():
    import gzip

    from django.middleware.gzip import GZipMiddleware
    from django.test import RequestFactory

    request = RequestFactory().get("/", headers={"Accept-Encoding": "gzip"})
    response = NDJSONResponse(numbers(3, "gzipped"))
    GZipMiddleware(lambda request: response).process_response(request, response)
    assert response["Content-Encoding"] == "gzip"
    assert [json.loads(line) for line in gzip.decompress(b"".join([c async for c in response])).splitlines()] == [
        {"id": 0}, {"id": 1}, {"id": 2}
    ]

    response = NDJSONResponse(numbers(1000, "gzip-left"))
    GZipMiddleware(lambda request: response).process_response(request, response)
    stream = aiter(response)
    while ("start", "gzip-left") not in TRACE:  # gzip may send its header before any content
        await anext(stream)
    await stream.aclose()  # closes the middleware's wrapper, then the response's own stream
    assert TRACE[-1] == ("closed", "gzip-left")


# Integration with views


async def test_integration_with_views__function_views_and_require_get(client):
    assert [json.loads(line) for line in (await body(await client.get("/export/"))).splitlines()] == [{"id": 0}, {"id": 1}]
    assert (await client.post("/export/")).status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_integration_with_views__permissions_run_before_the_iterable(client):
    response = await client.get("/event-stream/")
    assert response.status_code == 403 and not response.streaming
    assert TRACE == []
    client.force_authenticate(await sync_to_async(User.objects.create_user)("ann"))
    response = await client.get("/event-stream/")
    events, _, _, _ = parse_sse(await body(response))
    assert [event["data"] for event in events] == ['{"id": 0}', '{"id": 1}']


@pytest.mark.django_db(transaction=True)
async def test_integration_with_views__viewset_action_and_drf_sync_view(client):
    products = await make_products(2)
    rows = [json.loads(line) for line in (await body(await client.get("/products/export/"))).splitlines()]
    assert rows == [{"id": p.id, "name": p.name, "price": p.price} for p in products]
    lines = (await body(await client.get("/drf-export/"))).splitlines()
    assert [json.loads(line) for line in lines] == [{"id": 0}, {"id": 1}]


async def test_integration_with_views__no_renderer_runs(client):
    response = await client.get("/drf-export/", headers={"Accept": "text/html"})
    assert response["Content-Type"] == "application/x-ndjson"
    assert not hasattr(response, "accepted_renderer")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/json-list/?n=2", "/sse/", "/rows/?chunk=2"])
def test_integration_with_views__a_sync_client_wsgi_streams_too(path):
    """Django's sync test client serves through the WSGI handler; the responses stream there too."""
    Product.objects.create(name="w", sku="w1")
    response = Client().get(path)
    assert response.status_code == 200
    data = b"".join(response)
    assert data and (data.startswith((b"[", b"event:")))


def test_every_section_is_walked():
    names = [name for name in globals() if name.startswith("test_")]
    missing = [section for section in SECTIONS if not any(name.startswith(f"test_{section}__") for name in names)]
    assert missing == []


assert streams_urls.urlpatterns
