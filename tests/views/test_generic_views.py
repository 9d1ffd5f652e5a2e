"""AsyncGenericAPIView, the async mixins and every generic view class through real routing:
aget_object, afilter_queryset with DRF's and django-filter's backends, async get_queryset,
status codes and headers, aperform_* hooks and their rollback, serializers that query."""

import pytest
from asgiref.sync import sync_to_async
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from restflow import mixins
from restflow.pagination import PageNumberPagination
from restflow.views import (
    AsyncCreateAPIView,
    AsyncDestroyAPIView,
    AsyncGenericAPIView,
    AsyncListAPIView,
    AsyncListCreateAPIView,
    AsyncRetrieveAPIView,
    AsyncRetrieveDestroyAPIView,
    AsyncRetrieveUpdateAPIView,
    AsyncRetrieveUpdateDestroyAPIView,
    AsyncUpdateAPIView,
)
from tests.support.testapp.models import Category, Product, Review
from tests.support.testapp.serializers import ProductDetailSerializer, ProductListSerializer, ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.views_urls_generic")]


async def make_product(sku="s1", **fields):
    fields.setdefault("name", f"product {sku}")
    return await Product.objects.acreate(sku=sku, **fields)


# --- serializers and views ---------------------------------------------------------------------


class ProductURLSerializer(serializers.ModelSerializer):
    """Has a ``url`` field, so a create answers with a Location header."""

    url = serializers.HyperlinkedIdentityField(view_name="generic-product-detail")

    class Meta:
        model = Product
        fields = ["url", "id", "name", "sku", "price", "category"]


class ReviewWriteSerializer(serializers.ModelSerializer):
    """A writable foreign key: validation looks the product up in the database."""

    class Meta:
        model = Review
        fields = ["id", "product", "author", "rating"]


class ThreePerPage(PageNumberPagination):
    page_size = 3
    page_size_query_param = "size"
    max_page_size = 5


class Base:
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class CreateView(Base, AsyncCreateAPIView):
    pass


class ListView(Base, AsyncListAPIView):
    pass


class RetrieveView(Base, AsyncRetrieveAPIView):
    pass


class DestroyView(Base, AsyncDestroyAPIView):
    pass


class UpdateView(Base, AsyncUpdateAPIView):
    pass


class ListCreateView(Base, AsyncListCreateAPIView):
    pass


class RetrieveUpdateView(Base, AsyncRetrieveUpdateAPIView):
    pass


class RetrieveDestroyView(Base, AsyncRetrieveDestroyAPIView):
    pass


class RetrieveUpdateDestroyView(Base, AsyncRetrieveUpdateDestroyAPIView):
    pass


class URLProductListCreate(AsyncListCreateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductURLSerializer


class URLProductDetail(AsyncRetrieveUpdateDestroyAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductURLSerializer


class FilteredList(AsyncListAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductListSerializer
    pagination_class = ThreePerPage
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["status", "in_stock", "category"]
    search_fields = ["name", "description"]
    ordering_fields = ["price", "name"]
    ordering = ["id"]


class FilteredDetail(AsyncRetrieveAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["in_stock"]


class BySkuView(AsyncRetrieveAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    lookup_field = "sku"


class ByCodeView(AsyncRetrieveAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    lookup_field = "sku"
    lookup_url_kwarg = "code"


class InCategoryView(AsyncListAPIView):
    """``async def get_queryset``: awaited before filtering and listing."""

    serializer_class = ProductListSerializer

    async def get_queryset(self):
        category = await Category.objects.aget(name=self.kwargs["category"])
        return Product.objects.filter(category=category).order_by("price")


class DetailSerializerView(AsyncRetrieveAPIView):
    """A nested related serializer and a method field that counts reviews (queries)."""

    queryset = Product.objects.all()
    serializer_class = ProductDetailSerializer


class ReviewCreateView(AsyncCreateAPIView):
    queryset = Review.objects.all()
    serializer_class = ReviewWriteSerializer


class AllMixinsView(
    mixins.AsyncListModelMixin,
    mixins.AsyncRetrieveModelMixin,
    mixins.AsyncCreateModelMixin,
    mixins.AsyncUpdateModelMixin,
    mixins.AsyncDestroyModelMixin,
    AsyncGenericAPIView,
):
    """The five mixins composed by hand: handlers pick the mixin action from the URL."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    async def get(self, request, *args, **kwargs):
        if "pk" in kwargs:
            return await self.retrieve(request, *args, **kwargs)
        return await self.list(request, *args, **kwargs)

    async def post(self, request, *args, **kwargs):
        return await self.create(request, *args, **kwargs)

    async def put(self, request, *args, **kwargs):
        return await self.update(request, *args, **kwargs)

    async def patch(self, request, *args, **kwargs):
        return await self.partial_update(request, *args, **kwargs)

    async def delete(self, request, *args, **kwargs):
        return await self.destroy(request, *args, **kwargs)


class HookBase(AsyncListCreateAPIView, AsyncRetrieveUpdateDestroyAPIView):
    """Write hooks that leave a trace (a review row) and may raise after their write."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    raise_after = None  # None, "api" (a 400) or "crash" (an uncaught RuntimeError)

    def _maybe_raise(self):
        if self.raise_after == "api":
            raise ValidationError({"hook": ["failed after the write"]})
        if self.raise_after == "crash":
            raise RuntimeError("hook crashed after the write")


class SyncHookView(HookBase):
    """Sync overrides of the aperform_* hooks (run in a hop, in one transaction)."""

    def aperform_create(self, serializer):
        product = serializer.save(description="by sync create hook")
        Review.objects.create(product=product, author="hook")
        self._maybe_raise()

    def aperform_update(self, serializer):
        product = serializer.save(description="by sync update hook")
        Review.objects.create(product=product, author="hook")
        self._maybe_raise()

    def aperform_destroy(self, instance):
        Category.objects.create(name=f"tombstone {instance.sku}")
        instance.delete()
        self._maybe_raise()


class AsyncHookView(HookBase):
    """Async overrides of the aperform_* hooks."""

    async def aperform_create(self, serializer):
        product = await sync_to_async(serializer.save)(description="by async create hook")
        await Review.objects.acreate(product=product, author="hook")
        self._maybe_raise()

    async def aperform_update(self, serializer):
        product = await sync_to_async(serializer.save)(description="by async update hook")
        await Review.objects.acreate(product=product, author="hook")
        self._maybe_raise()

    async def aperform_destroy(self, instance):
        await Category.objects.acreate(name=f"tombstone {instance.sku}")
        await instance.adelete()
        self._maybe_raise()


class DefaultHookRaisesView(HookBase):
    """The default aperform_create/update/destroy, then a failure in code run after them."""

    async def aperform_create(self, serializer):
        await super().aperform_create(serializer)
        self._maybe_raise()

    async def aperform_update(self, serializer):
        await super().aperform_update(serializer)
        self._maybe_raise()

    async def aperform_destroy(self, instance):
        await super().aperform_destroy(instance)
        self._maybe_raise()


class ResponseSerializerView(AsyncCreateAPIView):
    """Validates with a three-field serializer, answers with the full one."""

    queryset = Product.objects.all()
    serializer_class = serializers.Serializer  # not used: both getters are overridden below

    def get_request_serializer_class(self):
        from tests.support.testapp.serializers import ProductCreateSerializer

        return ProductCreateSerializer

    def get_response_serializer_class(self):
        return ProductSerializer


# --- each generic view class -------------------------------------------------------------------

GENERIC_ROUTES = {
    "create": {"post"},
    "list": {"get"},
    "retrieve": {"get"},
    "destroy": {"delete"},
    "update": {"put", "patch"},
    "list-create": {"get", "post"},
    "retrieve-update": {"get", "put", "patch"},
    "retrieve-destroy": {"get", "delete"},
    "retrieve-update-destroy": {"get", "put", "patch", "delete"},
}
DETAIL = {"retrieve", "destroy", "update", "retrieve-update", "retrieve-destroy", "retrieve-update-destroy"}
EXPECTED_STATUS = {"get": 200, "post": 201, "put": 200, "patch": 200, "delete": 204}


@pytest.mark.parametrize("route", sorted(GENERIC_ROUTES))
async def test_each_generic_view_answers_its_methods_and_405_for_others(client, route):
    """Each generic view class handles exactly its HTTP methods with DRF's status codes."""
    allowed = GENERIC_ROUTES[route]
    for method in ["get", "post", "put", "patch", "delete"]:
        await Product.objects.all().adelete()
        product = await make_product("s1", price=1)
        url = f"/g/{route}/{product.pk}/" if route in DETAIL else f"/g/{route}/"
        body = {"name": "new", "sku": "s2", "price": 7}
        call = getattr(client, method)
        response = await (call(url) if method in ("get", "delete") else call(url, body))
        if method not in allowed:
            assert response.status_code == 405, (route, method)
            continue
        assert response.status_code == EXPECTED_STATUS[method], (route, method, response.content)
        if method == "get" and route in DETAIL:
            assert response.json()["sku"] == "s1"
        elif method == "get":
            assert [item["sku"] for item in response.json()] == ["s1"]
        elif method == "post":
            assert response.json()["sku"] == "s2"
            assert await Product.objects.filter(sku="s2").aexists()
        elif method in ("put", "patch"):
            fresh = await Product.objects.aget(pk=product.pk)
            assert (fresh.name, fresh.sku, fresh.price) == ("new", "s2", 7)
        else:
            assert response.content == b""
            assert not await Product.objects.filter(pk=product.pk).aexists()


async def test_allow_header_lists_the_view_methods(client):
    """The Allow header of a 405 names the methods the class supports."""
    product = await make_product()
    response = await client.post(f"/g/retrieve-destroy/{product.pk}/", {})
    assert response.status_code == 405
    allow = {method.strip() for method in response["Allow"].split(",")}
    assert {"GET", "DELETE", "OPTIONS"} <= allow and "POST" not in allow


async def test_create_with_url_field_sets_location(client):
    """A serializer with a ``url`` field: 201 and Location pointing at the new object."""
    response = await client.post("/g/url-products/", {"name": "lamp", "sku": "l1", "price": 5})
    assert response.status_code == 201
    product = await Product.objects.aget(sku="l1")
    assert response["Location"] == f"http://testserver/g/url-products/{product.pk}/"
    assert response.json()["url"] == response["Location"]


async def test_create_without_url_field_has_no_location(client):
    """Without a ``url`` field, a create is 201 with no Location header."""
    response = await client.post("/g/create/", {"name": "lamp", "sku": "l1"})
    assert response.status_code == 201
    assert "Location" not in response


async def test_create_invalid_is_400_and_writes_nothing(client):
    """Invalid data: DRF's 400 field errors and no row."""
    response = await client.post("/g/create/", {"name": "", "price": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"name", "sku", "price"}
    assert await Product.objects.acount() == 0


async def test_put_requires_all_fields_patch_does_not(client):
    """PUT is a full update (missing required field -> 400); PATCH changes only what it sends."""
    product = await make_product("s1", price=3, description="kept")
    response = await client.put(f"/g/update/{product.pk}/", {"name": "x"})
    assert response.status_code == 400
    assert "sku" in response.json()
    response = await client.patch(f"/g/update/{product.pk}/", {"price": 9})
    assert response.status_code == 200
    assert response.json()["price"] == 9
    fresh = await Product.objects.aget(pk=product.pk)
    assert (fresh.price, fresh.description, fresh.name) == (9, "kept", "product s1")


async def test_mixins_composed_by_hand(client):
    """Each of the five mixins works when composed onto AsyncGenericAPIView directly."""
    created = await client.post("/g/mixins/", {"name": "a", "sku": "a1"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert [p["sku"] for p in (await client.get("/g/mixins/")).json()] == ["a1"]
    assert (await client.get(f"/g/mixins/{pk}/")).json()["name"] == "a"
    assert (await client.put(f"/g/mixins/{pk}/", {"name": "b", "sku": "a1"})).json()["name"] == "b"
    assert (await client.patch(f"/g/mixins/{pk}/", {"price": 4})).json()["price"] == 4
    assert (await client.delete(f"/g/mixins/{pk}/")).status_code == 204
    assert (await client.get(f"/g/mixins/{pk}/")).status_code == 404


async def test_request_and_response_serializers_in_create(client):
    """create validates with get_request_serializer_class and answers with get_response_serializer_class."""
    response = await client.post("/g/split-create/", {"name": "n", "sku": "s", "price": 2, "status": "draft"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active"  # not a field of the request serializer: the default was kept
    assert {"id", "in_stock", "category"} <= set(body)


# --- aget_object -------------------------------------------------------------------------------


async def test_aget_object_lookup_field(client):
    """lookup_field="sku" finds the row by its sku; an unknown sku is 404."""
    await make_product("abc-1")
    response = await client.get("/g/by-sku/abc-1/")
    assert response.status_code == 200
    assert response.json()["sku"] == "abc-1"
    assert (await client.get("/g/by-sku/zzz/")).status_code == 404


async def test_aget_object_lookup_url_kwarg(client):
    """lookup_url_kwarg names the URL keyword, lookup_field the model field."""
    await make_product("abc-2")
    response = await client.get("/g/by-code/abc-2/")
    assert response.status_code == 200
    assert response.json()["sku"] == "abc-2"


async def test_aget_object_missing_and_malformed_are_404(client):
    """A missing pk and a pk that is not an integer are both DRF's 404, never 500."""
    response = await client.get("/g/retrieve-update-destroy/987654/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Product matches the given query."}
    for bad in ("abc", "1.5", "99999999999999999999999999"):
        response = await client.get(f"/g/retrieve-update-destroy/{bad}/")
        assert response.status_code == 404, bad
    assert (await client.patch("/g/retrieve-update-destroy/abc/", {"name": "x"})).status_code == 404
    assert (await client.delete("/g/retrieve-update-destroy/abc/")).status_code == 404


async def test_aget_object_applies_filters(client):
    """aget_object looks inside the filtered queryset: a row filtered out is 404."""
    product = await make_product("s1", in_stock=False)
    assert (await client.get(f"/g/filtered/{product.pk}/?in_stock=true")).status_code == 404
    assert (await client.get(f"/g/filtered/{product.pk}/?in_stock=false")).status_code == 200


# --- filtering and get_queryset ----------------------------------------------------------------


async def _catalogue():
    books = await Category.objects.acreate(name="books")
    await make_product("a", name="red apple", price=5, category=books)
    await make_product("b", name="green apple", price=3, in_stock=False)
    await make_product("c", name="banana", price=4, description="yellow apple-like", status="draft")
    await make_product("d", name="cherry", price=1, category=books)
    return books


async def test_search_filter(client):
    """SearchFilter matches any search field."""
    await _catalogue()
    names = [p["name"] for p in (await client.get("/g/filtered/?search=apple")).json()["results"]]
    assert names == ["red apple", "green apple", "banana"]


async def test_ordering_filter(client):
    """OrderingFilter sorts by an allowed field; an unknown field is ignored (default ordering)."""
    await _catalogue()
    prices = [p["price"] for p in (await client.get("/g/filtered/?ordering=-price")).json()["results"]]
    assert prices == [5, 4, 3]
    prices = [p["price"] for p in (await client.get("/g/filtered/?ordering=sku")).json()["results"]]
    assert prices == [5, 3, 4]


async def test_django_filter_backend(client):
    """DjangoFilterBackend filters (a foreign key choice validated against the database, a boolean)."""
    books = await _catalogue()
    response = await client.get(f"/g/filtered/?category={books.pk}&ordering=price")
    assert [p["name"] for p in response.json()["results"]] == ["cherry", "red apple"]
    response = await client.get("/g/filtered/?in_stock=false")
    assert [p["name"] for p in response.json()["results"]] == ["green apple"]
    response = await client.get("/g/filtered/?status=draft&search=apple")
    assert [p["name"] for p in response.json()["results"]] == ["banana"]


async def test_django_filter_invalid_value_is_400(client):
    """An unknown category id or choice is DRF's 400 naming the parameter."""
    await _catalogue()
    response = await client.get("/g/filtered/?category=424242")
    assert response.status_code == 400
    assert "category" in response.json()
    response = await client.get("/g/filtered/?status=nonsense")
    assert response.status_code == 400
    assert "status" in response.json()


async def test_filters_and_pagination_together(client):
    """Filtering happens before paging: count and pages reflect the filtered rows."""
    await _catalogue()
    response = await client.get("/g/filtered/?search=apple&size=2&page=2&ordering=price")
    body = response.json()
    assert body["count"] == 3
    assert [p["name"] for p in body["results"]] == ["red apple"]
    assert body["previous"] is not None and body["next"] is None


async def test_page_size_is_capped(client):
    """page_size_query_param is capped by max_page_size."""
    for i in range(7):
        await make_product(f"s{i}")
    body = (await client.get("/g/filtered/?size=100")).json()
    assert body["count"] == 7 and len(body["results"]) == 5


async def test_async_get_queryset(client):
    """An ``async def get_queryset`` is awaited; its queryset is what the list shows."""
    books = await _catalogue()
    response = await client.get(f"/g/in-category/{books.name}/")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["cherry", "red apple"]


# --- serializers that query ------------------------------------------------------------------


async def test_unique_validator_and_related_field_on_create(client):
    """ProductSerializer's UniqueValidator and category lookup run without SynchronousOnlyOperation."""
    books = await Category.objects.acreate(name="books")
    response = await client.post("/g/create/", {"name": "n", "sku": "u1", "category": books.pk})
    assert response.status_code == 201
    assert response.json()["category"] == books.pk
    response = await client.post("/g/create/", {"name": "n", "sku": "u1"})
    assert response.status_code == 400
    assert response.json() == {"sku": ["product with this sku already exists."]}
    response = await client.post("/g/create/", {"name": "n", "sku": "u2", "category": 999})
    assert response.status_code == 400
    assert "category" in response.json()


async def test_unique_validator_on_update_excludes_self(client):
    """A PUT keeping the row's own sku passes UniqueValidator; taking another row's sku is 400."""
    first = await make_product("u1")
    await make_product("u2")
    response = await client.put(f"/g/update/{first.pk}/", {"name": "n", "sku": "u1"})
    assert response.status_code == 200
    response = await client.put(f"/g/update/{first.pk}/", {"name": "n", "sku": "u2"})
    assert response.status_code == 400
    assert "sku" in response.json()


async def test_writable_foreign_key_serializer(client):
    """A serializer with a writable foreign key validates it with a query off the loop."""
    product = await make_product()
    response = await client.post("/g/reviews/", {"product": product.pk, "author": "ann", "rating": 4})
    assert response.status_code == 201
    assert await Review.objects.filter(product=product, author="ann").aexists()
    response = await client.post("/g/reviews/", {"product": 12345, "author": "ann"})
    assert response.status_code == 400
    assert "product" in response.json()


async def test_nested_and_method_fields_that_query(client):
    """Representation that queries (nested category, review count) runs off the loop."""
    books = await Category.objects.acreate(name="books")
    product = await make_product(category=books)
    await Review.objects.acreate(product=product, author="x")
    await Review.objects.acreate(product=product, author="y")
    response = await client.get(f"/g/detail/{product.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["category"] == {"id": books.pk, "name": "books"}
    assert body["review_count"] == 2


# --- write hooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync-hooks", "async-hooks"])
async def test_hook_overrides_are_honoured(client, kind):
    """Overridden aperform_create/update/destroy (sync or async) run, with their side effects."""
    response = await client.post(f"/g/{kind}/", {"name": "n", "sku": "h1"})
    assert response.status_code == 201
    product = await Product.objects.aget(sku="h1")
    assert product.description.endswith("create hook")
    assert response.json()["description"] == product.description
    assert await Review.objects.filter(product=product).acount() == 1

    response = await client.patch(f"/g/{kind}/{product.pk}/", {"price": 8})
    assert response.status_code == 200
    product = await Product.objects.aget(pk=product.pk)
    assert (product.price, product.description.endswith("update hook")) == (8, True)
    assert await Review.objects.filter(product=product).acount() == 2

    response = await client.delete(f"/g/{kind}/{product.pk}/")
    assert response.status_code == 204
    assert not await Product.objects.filter(pk=product.pk).aexists()
    assert await Category.objects.filter(name="tombstone h1").aexists()


@pytest.mark.parametrize("kind", ["sync-hooks", "async-hooks", "default-hooks"])
async def test_create_hook_failing_after_save_rolls_back(client, kind):
    """A create hook raising after its save (a 400) leaves no product and no side-effect row."""
    response = await client.post(f"/g/{kind}-api/", {"name": "n", "sku": "h1"})
    assert response.status_code == 400
    assert response.json() == {"hook": ["failed after the write"]}
    assert await Product.objects.acount() == 0
    assert await Review.objects.acount() == 0


@pytest.mark.parametrize("kind", ["sync-hooks", "async-hooks", "default-hooks"])
async def test_create_hook_crashing_after_save_rolls_back(client, kind):
    """An uncaught error after the save propagates (500) and the write is rolled back."""
    with pytest.raises(RuntimeError, match="after the write"):
        await client.post(f"/g/{kind}-crash/", {"name": "n", "sku": "h1"})
    assert await Product.objects.acount() == 0
    assert await Review.objects.acount() == 0


@pytest.mark.parametrize("kind", ["sync-hooks", "async-hooks", "default-hooks"])
async def test_update_hook_failing_after_save_rolls_back(client, kind):
    """An update hook raising after its save leaves the row as it was."""
    product = await make_product("h1", name="before", price=1)
    response = await client.put(f"/g/{kind}-api/{product.pk}/", {"name": "after", "sku": "h1", "price": 2})
    assert response.status_code == 400
    fresh = await Product.objects.aget(pk=product.pk)
    assert (fresh.name, fresh.price, fresh.description) == ("before", 1, "")
    assert await Review.objects.acount() == 0


@pytest.mark.parametrize("kind", ["sync-hooks", "async-hooks", "default-hooks"])
async def test_destroy_hook_failing_after_delete_rolls_back(client, kind):
    """A destroy hook raising after its delete leaves the row (and no tombstone) in place."""
    product = await make_product("h1")
    await Review.objects.acreate(product=product, author="kept")
    response = await client.delete(f"/g/{kind}-api/{product.pk}/")
    assert response.status_code == 400
    assert await Product.objects.filter(pk=product.pk).aexists()
    assert await Review.objects.filter(product=product).acount() == 1  # the cascade was undone too
    assert not await Category.objects.filter(name__startswith="tombstone").aexists()
