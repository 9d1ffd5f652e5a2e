"""restflow's annotated serializers against the same declarations written as DRF fields.

DRF is the oracle: through real routes (a restflow viewset with the annotated
serializer, DRF's own ModelViewSet with the DRF twin) the same requests give the
same status, body and stored rows; directly, the same inputs give the same
errors, validated data and representation, through ``is_valid`` and ``ais_valid``.
"""

import datetime
import re
import decimal
import uuid
from typing import Any, Literal

import pytest
from django.forms.models import model_to_dict
from rest_framework import serializers as drf

from restflow.serializers import BlankableString, Email, Field, IPAddress, NotRequired, Serializer
from tests.support.serializersapp.models import Article, Author, Tag

pytestmark = pytest.mark.urls("tests.support.serializers_urls")
db = pytest.mark.django_db(transaction=True)


def normalized(value):
    """A response body with row ids and the route prefix left out, for comparing the two routes."""
    if isinstance(value, dict):
        return {key: "<id>" if key == "id" else normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, str):
        return re.sub(r"/\d+/", "/<id>/", value.replace("/rf/", "/drf/"))
    return value


def stored(article_id):
    if article_id is None:
        return None
    row = Article.objects.filter(pk=article_id).first()
    if row is None:
        return None
    values = model_to_dict(row, exclude=["id"])
    values["tags"] = sorted(tag.pk for tag in values["tags"])
    return values


async def astored(article_id):
    from asgiref.sync import sync_to_async

    return await sync_to_async(stored)(article_id)


async def fixtures():
    ada = await Author.objects.acreate(name="Ada")
    bob = await Author.objects.acreate(name="Bob")
    news = await Tag.objects.acreate(name="news")
    tech = await Tag.objects.acreate(name="tech")
    await Article.objects.acreate(title="Taken", author=ada)
    return ada, bob, news, tech


def article_payloads(ada, bob, news, tech):
    return [
        {"title": "Hello", "body": "b", "author": ada.pk, "tags": [news.pk, tech.pk], "score": "1.50", "published": True},
        {"title": "Minimal", "author": bob.pk},
        {},
        {"title": 5, "author": "x", "tags": "nope", "score": "abc", "published": "maybe"},
        {"title": "Ghost author", "author": 999999},
        {"title": "x" * 101, "author": ada.pk},
        {"title": "_hidden", "author": ada.pk},
        {"title": "Empty", "author": ada.pk, "published": True, "body": ""},
        {"title": "Taken", "author": ada.pk},
        {"title": "Choice", "author": ada.pk, "status": "gone"},
        {"title": "Choice ok", "author": ada.pk, "status": "live"},
        {"title": "Digits", "author": ada.pk, "score": "12345.678"},
        {"title": None, "author": ada.pk},
        {"title": "", "author": ada.pk},
        {"title": "Tags", "author": ada.pk, "tags": [999999]},
        {"title": "Reviewed", "author": ada.pk, "reviewer": None},
        {"title": "Reviewed 2", "author": ada.pk, "reviewer": bob.pk},
        [],
        "just a string",
    ]


async def _create_on_both(client, payload):
    answers = []
    for prefix in ("rf", "drf"):
        response = await client.post(f"/{prefix}/articles/", payload, format="json")
        body = response.json()
        row = await astored(body.get("id") if isinstance(body, dict) else None)
        if response.status_code == 201:
            await Article.objects.filter(pk=body["id"]).adelete()
        answers.append((response.status_code, normalized(body), row))
    return answers


@db
async def test_create_through_routes_matches_drf(client):
    """POST: same status, body and stored row as DRF for valid and invalid payloads (FK, M2M, unique_together, validate hooks)."""
    for payload in article_payloads(*await fixtures()):
        ours, theirs = await _create_on_both(client, payload)
        assert ours == theirs, payload


@db
@pytest.mark.parametrize("method", ["put", "patch"])
async def test_update_through_routes_matches_drf(client, method):
    """PUT and PATCH (partial updates): same status, body and stored row as DRF."""
    ada, bob, news, tech = await fixtures()
    for payload in article_payloads(ada, bob, news, tech):
        answers = []
        for prefix in ("rf", "drf"):
            article = await Article.objects.acreate(title="Original", body="kept", author=bob, score=decimal.Decimal("2.5"))
            await article.tags.aset([news])
            response = await getattr(client, method)(f"/{prefix}/articles/{article.pk}/", payload, format="json")
            answers.append((response.status_code, normalized(response.json()), await astored(article.pk)))
            await article.adelete()
        assert answers[0] == answers[1], (method, payload)


@db
async def test_nested_representation_matches_drf(client):
    """GET list and detail with a nested serializer and a many=True related field render as DRF renders them."""
    ada, bob, news, tech = await fixtures()
    article = await Article.objects.acreate(title="Nested", author=ada)
    await article.tags.aset([news, tech])
    for path in ("nested-articles/", f"nested-articles/{article.pk}/", "articles/", f"articles/{article.pk}/"):
        ours = await client.get(f"/rf/{path}")
        theirs = await client.get(f"/drf/{path}")
        assert ours.status_code == theirs.status_code == 200
        assert normalized(ours.json()) == normalized(theirs.json())


@db
async def test_unique_validator_on_an_annotated_field_matches_drf(client):
    """A UniqueValidator passed through Field(validators=...) answers DRF's 400 (it queries: validation hops once)."""
    await Author.objects.acreate(name="Ada")
    for payload in ({"name": "Ada"}, {"name": "Cy", "email": ""}, {"name": ""}, {}):
        ours = await client.post("/rf/authors/", payload, format="json")
        await Author.objects.filter(name="Cy").adelete()
        theirs = await client.post("/drf/authors/", payload, format="json")
        await Author.objects.filter(name="Cy").adelete()
        assert (ours.status_code, normalized(ours.json())) == (theirs.status_code, normalized(theirs.json())), payload


@db
async def test_hyperlinked_serializer_matches_drf(client):
    """HyperlinkedModelSerializer: url identity field, create, list and detail as DRF."""
    tag = await Tag.objects.acreate(name="first")
    for path in ("tags/", f"tags/{tag.pk}/"):
        ours = await client.get(f"/rf/{path}")
        theirs = await client.get(f"/drf/{path}")
        assert normalized(ours.json()) == normalized(theirs.json())
        assert "/rf/tags/" in str(ours.json())
    for payload in ({"name": "second"}, {"name": "x" * 31}, {}):
        ours = await client.post("/rf/tags/", payload, format="json")
        await Tag.objects.filter(name="second").adelete()
        theirs = await client.post("/drf/tags/", payload, format="json")
        await Tag.objects.filter(name="second").adelete()
        assert (ours.status_code, normalized(ours.json())) == (theirs.status_code, normalized(theirs.json()))


# Direct: the whole type-to-field mapping, optional/list/nested forms, against DRF fields.


class Point(Serializer):
    x: int
    y: int = Field(min_value=0)


class DRFPoint(drf.Serializer):
    x = drf.IntegerField()
    y = drf.IntegerField(min_value=0)


class Everything(Serializer):
    name: str
    age: int
    score: float
    active: bool
    raw: bytes
    created_at: datetime.datetime
    birthday: datetime.date
    starts_at: datetime.time
    duration: datetime.timedelta
    balance: decimal.Decimal
    token: uuid.UUID
    email: Email
    server_ip: IPAddress
    note: BlankableString
    metadata: dict
    payload: Any
    bio: str | None
    nickname: NotRequired[str]
    referral: NotRequired[str | None]
    role: Literal["admin", "user"]
    tier: Literal[1, 2, 3] = 1
    tags: list[str]
    counts: list[int | None]
    matrix: list[list[int]]
    levels: list[Literal["a", "b"]]
    origin: Point
    path: list[Point]
    corner: Point | None = Field(required=False)
    label: str = Field(max_length=5, default="hi")


class DRFEverything(drf.Serializer):
    name = drf.CharField()
    age = drf.IntegerField()
    score = drf.FloatField()
    active = drf.BooleanField()
    raw = drf.CharField()
    created_at = drf.DateTimeField()
    birthday = drf.DateField()
    starts_at = drf.TimeField()
    duration = drf.DurationField()
    balance = drf.DecimalField(max_digits=20, decimal_places=6)
    token = drf.UUIDField()
    email = drf.EmailField()
    server_ip = drf.IPAddressField()
    note = drf.CharField(allow_blank=True)
    metadata = drf.DictField()
    payload = drf.JSONField()
    bio = drf.CharField(allow_null=True, required=False)
    nickname = drf.CharField(required=False)
    referral = drf.CharField(allow_null=True, required=False)
    role = drf.ChoiceField(choices=["admin", "user"])
    tier = drf.ChoiceField(choices=[1, 2, 3], default=1)
    tags = drf.ListField(child=drf.CharField())
    counts = drf.ListField(child=drf.IntegerField(allow_null=True, required=False))
    matrix = drf.ListField(child=drf.ListField(child=drf.IntegerField()))
    levels = drf.ListField(child=drf.ChoiceField(choices=["a", "b"]))
    origin = DRFPoint()
    path = DRFPoint(many=True)
    corner = DRFPoint(allow_null=True, required=False)
    label = drf.CharField(max_length=5, default="hi")


GOOD = {
    "name": "Ada", "age": 36, "score": 1.5, "active": True, "raw": "bytes", "created_at": "2026-01-02T03:04:05Z",
    "birthday": "1990-01-02", "starts_at": "09:30", "duration": "1 02:00:00", "balance": "10.123456",
    "token": "12345678-1234-5678-1234-567812345678", "email": "ada@example.com", "server_ip": "10.0.0.1",
    "note": "", "metadata": {"k": 1}, "payload": [1, {"a": None}], "bio": None, "role": "admin", "tags": ["a"],
    "counts": [1, None], "matrix": [[1, 2], []], "levels": ["a"], "origin": {"x": 1, "y": 2},
    "path": [{"x": 0, "y": 0}],
}

BAD = [
    {},
    {**GOOD, "age": "old", "score": "x", "active": "maybe", "created_at": "yesterday", "birthday": "x", "starts_at": "x"},
    {**GOOD, "duration": "long", "balance": "1.1234567", "token": "nope", "email": "no", "server_ip": "300.1.1.1"},
    {**GOOD, "name": "", "note": None, "metadata": [1], "role": "root", "tier": 4, "tags": "a", "counts": ["x"]},
    {**GOOD, "matrix": [[1, "x"]], "levels": ["c"], "origin": {"y": -1}, "path": [{"x": "a"}, {}], "corner": {}},
    {**GOOD, "nickname": None, "referral": None, "bio": "", "label": "toolong", "balance": "1" * 15 + ".1"},
    {**GOOD, "origin": None, "path": None, "corner": None, "tags": [None], "matrix": None},
    [],
    None,
]


@pytest.mark.parametrize("data", [GOOD, *BAD], ids=lambda d: str(d)[:40])
async def test_annotated_fields_validate_as_drf_fields(data):
    """Every mapped type, Optional, NotRequired, Literal, list[...] and nested forms: same errors and validated data as DRF."""
    ours, theirs, ours_async = Everything(data=data), DRFEverything(data=data), Everything(data=data)
    assert ours.is_valid() == theirs.is_valid() == await ours_async.ais_valid()
    assert ours.errors == theirs.errors == ours_async.errors
    assert list(ours.errors) == list(theirs.errors)
    assert ours.validated_data == theirs.validated_data == ours_async.validated_data


def test_annotated_fields_represent_as_drf_fields():
    """Representation of the same object is the same, key order included."""
    theirs = DRFEverything(data=GOOD)
    assert theirs.is_valid(), theirs.errors
    value = dict(theirs.validated_data, nickname="n", referral=None, corner=None)
    assert Everything(value).data == DRFEverything(value).data
    assert list(Everything(value).data) == list(DRFEverything(value).data)


def test_annotated_field_classes_are_drf_field_classes():
    """Each annotation builds the DRF field class (or restflow's subclass of it) with the same options."""
    ours, theirs = Everything().fields, DRFEverything().fields
    assert list(ours) == list(theirs)
    for name, field in theirs.items():
        expected = Point if isinstance(field, DRFPoint) else drf.ListSerializer if isinstance(field, drf.ListSerializer) else type(field)
        assert isinstance(ours[name], expected), name
        for option in ("required", "allow_null", "read_only", "write_only", "default", "allow_blank", "max_length",
                       "min_value", "max_digits", "decimal_places", "choices", "many"):
            assert getattr(ours[name], option, None) == getattr(field, option, None), (name, option)


@pytest.mark.parametrize("data", [{"x": 1, "y": 2}, {"x": "a"}, {"y": -5}], ids=str)
def test_many_true_matches_drf(data):
    """many=True on an annotated serializer: DRF's ListSerializer behaviour (errors per item, empty lists)."""
    for payload in ([data, data], [], data):
        ours, theirs = Point(data=payload, many=True), DRFPoint(data=payload, many=True)
        assert ours.is_valid() == theirs.is_valid()
        assert ours.errors == theirs.errors
        assert ours.validated_data == theirs.validated_data
        assert isinstance(ours, drf.ListSerializer)
    ours, theirs = Point(data=[], many=True, allow_empty=False), DRFPoint(data=[], many=True, allow_empty=False)
    assert ours.is_valid() is theirs.is_valid() is False
    assert ours.errors == theirs.errors


class HookedEverything(Everything):
    """The same declarations with async hooks: ais_valid's own path must report what DRF reports."""

    async def validate_age(self, value):
        if value > 150:
            raise drf.ValidationError("Too old.")
        return value

    async def validate_name(self, value):
        return value.strip()

    async def avalidate(self, attrs):
        if attrs.get("bio") == "x":
            raise drf.ValidationError({"bio": ["No x."]})
        return attrs


class DRFHookedEverything(DRFEverything):
    def validate_age(self, value):
        if value > 150:
            raise drf.ValidationError("Too old.")
        return value

    def validate_name(self, value):
        return value.strip()

    def validate(self, attrs):
        if attrs.get("bio") == "x":
            raise drf.ValidationError({"bio": ["No x."]})
        return attrs


@pytest.mark.parametrize(
    "data",
    [GOOD, *BAD, {**GOOD, "age": 200, "name": " Ada "}, {**GOOD, "bio": "x"}, {**GOOD, "age": 200, "score": "x"}],
    ids=lambda d: str(d)[:40],
)
async def test_async_hooks_report_what_drf_reports(data):
    """Async validate_<name> hooks and avalidate (ais_valid's own path) give DRF's errors, key order and validated data."""
    ours, theirs = HookedEverything(data=data), DRFHookedEverything(data=data)
    assert await ours.ais_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors
    assert list(ours.errors) == list(theirs.errors)
    assert ours.validated_data == theirs.validated_data


@pytest.mark.parametrize("partial_data", [{"age": 200}, {"name": " B "}, {}, {"origin": {"y": -1}}], ids=str)
async def test_async_hooks_partial_updates_match_drf(partial_data):
    """partial=True on the async path: only the given fields are validated, as DRF does."""
    ours = HookedEverything(GOOD, data=partial_data, partial=True)
    theirs = DRFHookedEverything(GOOD, data=partial_data, partial=True)
    assert await ours.ais_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors
    assert ours.validated_data == theirs.validated_data
