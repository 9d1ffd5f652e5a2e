"""An update writes what DRF's full save would store: also what validation, ``get_object`` or a hook set
on the instance before the save (restflow writes only changed columns; "changed" counts from the load)."""

import pytest
from asgiref.sync import sync_to_async
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from restflow._changed_fields import remember_loaded, save_changed_fields
from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product

pytestmark = pytest.mark.django_db(transaction=True)


class ArchivingSerializer(serializers.ModelSerializer):
    """Setting a product out of stock archives it: validate() marks the instance."""

    class Meta:
        model = Product
        fields = ["id", "name", "in_stock", "is_archived"]
        read_only_fields = ["is_archived"]

    def validate(self, attrs):
        if self.instance is not None and attrs.get("in_stock") is False:
            self.instance.is_archived = True
        return attrs


class DescribingSerializer(serializers.ModelSerializer):
    """validate_name() writes a description on the instance."""

    class Meta:
        model = Product
        fields = ["id", "name", "description"]
        read_only_fields = ["description"]

    def validate_name(self, value):
        if self.instance is not None:
            self.instance.description = f"renamed to {value}"
        return value


class Body:
    queryset = Product.objects.order_by("id")
    serializer_class = ArchivingSerializer
    permission_classes = [AllowAny]


class DescribingBody(Body):
    serializer_class = DescribingSerializer


class GetObjectBody(Body):
    """A get_object override (DRF's spelling) that marks the object it returns."""

    serializer_class = DescribingSerializer

    def get_object(self):
        obj = super().get_object()
        obj.is_archived = True
        return obj


class HookBody(Body):
    """A perform_update hook that sets a field on the instance before saving."""

    serializer_class = DescribingSerializer

    def perform_update(self, serializer):
        serializer.instance.price = 99
        serializer.save()


def pair(body):
    drf = type("Drf", (body, viewsets.ModelViewSet), {})
    ours = type("Ours", (body, AsyncModelViewSet), {})
    return drf, ours


async def both(body, method, data):
    """Send the same update to DRF's viewset and restflow's, each on its own row: (rows, responses)."""
    drf_view, our_view = pair(body)
    drf_row = await Product.objects.acreate(name="a", sku="a")
    our_row = await Product.objects.acreate(name="b", sku="b")
    factory = APIRequestFactory()
    action = {"patch": "partial_update", "put": "update"}[method]
    drf = await sync_to_async(drf_view.as_view({method: action}))(
        getattr(factory, method)("/", data, format="json"), pk=drf_row.pk
    )
    ours = await our_view.as_view({method: action})(getattr(factory, method)("/", data, format="json"), pk=our_row.pk)
    await drf_row.arefresh_from_db()
    await our_row.arefresh_from_db()
    return (drf_row, our_row), (drf, ours)


async def test_patch_writes_fields_that_validate_set_on_the_instance():
    (drf_row, our_row), (drf, ours) = await both(Body, "patch", {"in_stock": False})
    assert drf.status_code == ours.status_code == 200
    assert drf.data["is_archived"] is True and ours.data["is_archived"] is True
    assert drf_row.is_archived is True  # DRF's full save wrote it
    assert our_row.is_archived is True  # restflow answered True: it is stored too


@pytest.mark.parametrize("method", ["patch", "put"])
async def test_update_writes_fields_that_validate_field_set_on_the_instance(method):
    (drf_row, our_row), (drf, ours) = await both(DescribingBody, method, {"name": "new"})
    assert drf.status_code == ours.status_code == 200
    assert drf.data["description"] == ours.data["description"] == "renamed to new"
    assert drf_row.description == our_row.description == "renamed to new"


async def test_update_writes_fields_that_a_get_object_override_set():
    (drf_row, our_row), (drf, ours) = await both(GetObjectBody, "patch", {"name": "new"})
    assert drf.status_code == ours.status_code == 200
    assert (drf_row.is_archived, drf_row.name) == (our_row.is_archived, our_row.name) == (True, "new")


async def test_update_writes_fields_that_an_async_get_object_override_set_after_super():
    class Marking(DescribingBody, AsyncModelViewSet):
        async def aget_object(self):
            obj = await super().aget_object()
            obj.is_archived = True
            return obj

    row = await Product.objects.acreate(name="a", sku="a")
    response = await Marking.as_view({"patch": "partial_update"})(
        APIRequestFactory().patch("/", {"name": "new"}, format="json"), pk=row.pk
    )
    assert response.status_code == 200
    await row.arefresh_from_db()
    assert (row.is_archived, row.name, row.description) == (True, "new", "renamed to new")


async def test_update_writes_fields_that_a_perform_update_hook_set():
    (drf_row, our_row), (drf, ours) = await both(HookBody, "patch", {"name": "new"})
    assert drf.status_code == ours.status_code == 200
    assert (drf_row.price, drf_row.name) == (our_row.price, our_row.name) == (99, "new")


def _columns_written(serializer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        save_changed_fields(serializer)
    (update,) = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    return update


def test_save_changed_fields_counts_changes_from_the_recorded_load():
    """With a load record, only what changed since is written; without one, every column (DRF's save)."""
    recorded = remember_loaded(Product.objects.get(pk=Product.objects.create(name="a", sku="a").pk))
    recorded.is_archived = True  # set after the load, before validation: still a change
    serializer = DescribingSerializer(recorded, data={"name": "n"}, partial=True)
    assert serializer.is_valid()
    update = _columns_written(serializer)
    assert all(f'"{column}"' in update for column in ("name", "description", "is_archived", "updated"))
    assert '"price"' not in update and '"sku"' not in update

    unrecorded = Product.objects.get(pk=Product.objects.create(name="b", sku="b").pk)
    serializer = DescribingSerializer(unrecorded, data={"name": "n"}, partial=True)
    assert serializer.is_valid()
    update = _columns_written(serializer)
    assert '"price"' in update and '"sku"' in update
