"""restflow serializers' async surface off the loop's back: where their sync work runs, and what it costs.

Sync work runs on the loop while it needs no query and in one hop per block of
it otherwise; async hooks are awaited on the loop. Representation of plain
classes goes through the per-class plan as DRF serializers do.
"""

import pytest

from restflow._plan import represent
from restflow._sync import in_thread
from restflow.serializers import ModelSerializer, Serializer
from tests.support.serializersapp.models import Article, Author, Tag

db = pytest.mark.django_db(transaction=True)


class Point(Serializer):
    x: int
    y: int


@pytest.fixture
def hops(monkeypatch):
    """The names of the functions run in a hop to the sync thread, in order."""
    import restflow._serializing as serializing
    import restflow.serializers._classes as classes

    seen = []

    def counting(func, *args, **kwargs):
        seen.append(getattr(func, "__name__", repr(func)))
        return in_thread(func, *args, **kwargs)

    monkeypatch.setattr(serializing, "in_thread", counting)
    monkeypatch.setattr(classes, "in_thread", counting)
    return seen


async def test_no_query_no_hop(hops):
    """Validation (async hooks included) and representation with no query stay on the loop."""

    class Ser(Serializer):
        name: str
        tags: list[str]

        async def validate_name(self, value):
            return value.title()

    ser = Ser(data={"name": "ada", "tags": ["x"]})
    assert await ser.ais_valid()
    assert await ser.adata() == {"name": "Ada", "tags": ["x"]}
    assert await Point(data={"x": 1, "y": 2}).ais_valid()
    assert await Point({"x": 1, "y": 2}).adata() == {"x": 1, "y": 2}
    assert hops == []


@db
async def test_a_query_takes_one_hop_per_block(hops):
    """Fields that query go to the thread once (and straight there next time); async hooks stay on the loop."""

    class TitleSer(ModelSerializer):
        class Meta:
            model = Article
            fields = ["title", "author"]

        async def validate_title(self, value):
            return value.upper()

    ada = await Author.objects.acreate(name="Ada")
    for attempt in range(2):
        hops.clear()
        ser = TitleSer(data={"title": f"t{attempt}", "author": ada.pk})
        assert await ser.ais_valid(), ser.errors
        assert ser.validated_data.title == f"T{attempt}"
        # The author lookup (fields), then DRF's unique_together validator (checks): the async
        # hook runs between them on the loop, as DRF's order puts it there.
        assert hops == ["_validate_fields", "_sync_checks"]
    hops.clear()
    await ser.asave()
    assert hops == ["save"]


@db
async def test_plain_classes_validate_in_one_hop_with_a_query(hops):
    """Without async hooks, validation is DRF's is_valid: on the loop, or in one hop when it queries."""

    class AuthorSer(ModelSerializer):
        class Meta:
            model = Author
            fields = ["name"]

    await Author.objects.acreate(name="Ada")
    ser = AuthorSer(data={"name": "Ada"})
    assert await ser.ais_valid() is False
    assert ser.errors == {"name": ["author with this name already exists."]}
    assert hops == ["_is_valid"]


@db
async def test_representation_plan_applies_to_restflow_classes():
    """restflow's classes are plain DRF subclasses to the representation plan: it renders them."""

    class TagSer(ModelSerializer):
        name: str

        class Meta:
            model = Tag
            fields = ["id", "name"]

    tag = await Tag.objects.acreate(name="news")
    assert represent(TagSer(tag)) == {"id": tag.pk, "name": "news"}
    assert represent(TagSer([tag], many=True)) == [{"id": tag.pk, "name": "news"}]
    assert represent(Point({"x": 1, "y": 2})) == {"x": 1, "y": 2}


def test_runs_async_code_tells_views_which_classes_need_their_async_methods():
    """Views ask ``_runs_async_code(name)``: True only where the async method awaits the class's own code."""
    from restflow.serializers import ListSerializer

    class Plain(ModelSerializer):
        class Meta:
            model = Tag
            fields = ["name"]

        def validate_name(self, value):
            return value

    class Hooked(Serializer):
        name: str

        async def validate_name(self, value):
            return value

    class Avalidated(Serializer):
        async def avalidate(self, attrs):
            return attrs

    class Creating(ModelSerializer):
        class Meta:
            model = Tag
            fields = ["name"]

        async def acreate(self, validated_data):
            return await Tag.objects.acreate(**validated_data)

    class AsyncUpdate(Serializer):
        async def update(self, instance, validated_data):
            return instance

    class Rendering(Serializer):
        async def to_representation(self, instance):
            return {}

    class OwnRepresentation(Serializer):
        async def ato_representation(self, instance):
            return {"own": True}

    class OwnSave(Serializer):
        async def asave(self, **kwargs):
            return None

    expected = {
        Plain: set(), Point: set(), Hooked: {"ais_valid"}, Avalidated: {"ais_valid"}, Creating: {"asave"},
        AsyncUpdate: {"asave"}, Rendering: {"adata"}, OwnRepresentation: {"adata"}, OwnSave: {"asave"},
    }
    for cls, names in expected.items():
        assert {name for name in ("ais_valid", "asave", "adata") if cls._runs_async_code(name)} == names, cls
    assert not ListSerializer._runs_async_code("ais_valid")
    assert isinstance(Point(many=True), ListSerializer)


async def test_adata_goes_through_an_own_ato_representation():
    """An ``ato_representation`` of your own is what ``adata()`` renders with."""

    class Tagged(Serializer):
        name: str

        async def ato_representation(self, instance):
            return {"name": instance["name"], "tagged": True}

    assert await Tagged({"name": "a"}).adata() == {"name": "a", "tagged": True}


@db
@pytest.mark.urls("tests.support.serializers_urls")
async def test_async_user_code_through_a_restflow_viewset(client):
    """A viewset awaits the serializer's async hook, avalidate and acreate; update and representation as DRF."""
    await Article.objects.acreate(title="Taken", author=await Author.objects.acreate(name="Ada"))
    created = await client.post("/hooked-authors/", {"name": " Grace "}, format="json")
    assert created.status_code == 201, created.json()
    grace = await Author.objects.aget(name="Grace")
    assert created.json() == {"id": grace.pk, "name": "Grace", "email": "grace@example.com"}
    taken = await client.post("/hooked-authors/", {"name": "Taken"}, format="json")
    assert taken.status_code == 400 and taken.json() == {"name": ["An article has that title."]}
    invalid = await client.post("/hooked-authors/", {"name": "Bo", "email": "bo@x.invalid"}, format="json")
    assert invalid.status_code == 400 and invalid.json() == {"email": ["No .invalid addresses."]}
    assert not await Author.objects.filter(name="Bo").aexists()
    patched = await client.patch(f"/hooked-authors/{grace.pk}/", {"email": "g@example.com"}, format="json")
    assert patched.status_code == 200 and patched.json()["email"] == "g@example.com"
    assert (await Author.objects.aget(pk=grace.pk)).email == "g@example.com"
    listed = await client.get("/hooked-authors/")
    assert [row["name"] for row in listed.json()] == ["Ada", "Grace"]
