"""A SerializerMethodField runs once per row, as in DRF, also when a later field queries
(the rendering stops on the event loop and is finished in a thread hop)."""

import pytest
from asgiref.sync import sync_to_async
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from restflow._memo import clear_all
from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = []


class CountingSerializer(serializers.ModelSerializer):
    seen = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    again = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "seen", "name", "reviews", "again"]

    def get_seen(self, obj):
        CALLS.append(("seen", obj.pk))
        return len(CALLS)

    def get_reviews(self, obj):
        CALLS.append(("reviews", obj.pk))
        return obj.reviews.count()  # a query: stops on the event loop, before it runs

    def get_again(self, obj):
        CALLS.append(("again", obj.pk))
        return len(CALLS)


class Body:
    queryset = Product.objects.order_by("id")
    serializer_class = CountingSerializer
    permission_classes = [AllowAny]


class Drf(Body, viewsets.ModelViewSet):
    pass


class Products(Body, AsyncModelViewSet):
    pass


@pytest.fixture
def first_request():
    """The rendering of this serializer class starts on the event loop (as on a first request)."""
    clear_all()
    CALLS.clear()


async def answer(view, action, **kwargs):
    request = APIRequestFactory().get("/")
    if view is Drf:
        response = await sync_to_async(view.as_view({"get": action}))(request, **kwargs)
    else:
        response = await view.as_view({"get": action})(request, **kwargs)
    calls = list(CALLS)
    CALLS.clear()
    return response, calls


async def test_method_field_runs_once_per_row_when_a_later_field_queries(first_request):
    first = await Product.objects.acreate(name="a", sku="a")
    second = await Product.objects.acreate(name="b", sku="b")
    drf, drf_calls = await answer(Drf, "list")
    ours, our_calls = await answer(Products, "list")
    assert ours.status_code == drf.status_code == 200
    # DRF: each method once per row. The method that met the database on the loop ran up to its query
    # there and is called again in the hop: that one call is repeated (the first row's "reviews").
    assert drf_calls == [(name, pk) for pk in (first.pk, second.pk) for name in ("seen", "reviews", "again")]
    assert our_calls == [("seen", first.pk), ("reviews", first.pk), *drf_calls[1:]]
    assert [row["seen"] for row in drf.data] == [1, 4]
    assert [row["seen"] for row in ours.data] == [1, 5]  # the repeated call counted once more
    assert ours.data == [{**row, "seen": seen, "again": again} for row, seen, again in zip(drf.data, [1, 5], [4, 7])]


async def test_method_field_runs_once_on_retrieve_when_a_later_field_queries(first_request):
    row = await Product.objects.acreate(name="a", sku="a")
    drf, drf_calls = await answer(Drf, "retrieve", pk=row.pk)
    ours, our_calls = await answer(Products, "retrieve", pk=row.pk)
    assert drf_calls == [("seen", row.pk), ("reviews", row.pk), ("again", row.pk)]
    assert our_calls == [("seen", row.pk), ("reviews", row.pk), ("reviews", row.pk), ("again", row.pk)]
    assert (ours.data["seen"], ours.data["reviews"]) == (drf.data["seen"], drf.data["reviews"]) == (1, 0)


async def test_later_requests_render_in_the_hop_once(first_request):
    await Product.objects.acreate(name="a", sku="a")
    await answer(Products, "list")
    response, calls = await answer(Products, "list")
    assert response.status_code == 200
    assert [name for name, pk in calls] == ["seen", "reviews", "again"]


class NestedCountingSerializer(CountingSerializer):
    """A related field: DRF renders this class itself (restflow's plan does not)."""

    category = serializers.StringRelatedField(read_only=True)

    class Meta(CountingSerializer.Meta):
        fields = ["id", "seen", "category", "reviews", "again"]


class NestedProducts(AsyncModelViewSet):
    queryset = Product.objects.order_by("id")
    serializer_class = NestedCountingSerializer
    permission_classes = [AllowAny]


async def test_a_class_drf_renders_itself_repeats_the_method_fields_before_the_query():
    """The documented difference: such a class's first rendering is redone from the start in the hop."""
    clear_all()
    row = await Product.objects.acreate(name="a", sku="a")
    CALLS.clear()
    response, calls = await answer(NestedProducts, "retrieve", pk=row.pk)
    assert response.status_code == 200
    assert calls == [("seen", row.pk), ("reviews", row.pk), ("seen", row.pk), ("reviews", row.pk), ("again", row.pk)]
    response, calls = await answer(NestedProducts, "retrieve", pk=row.pk)  # later requests: in the hop at once
    assert calls == [("seen", row.pk), ("reviews", row.pk), ("again", row.pk)]
