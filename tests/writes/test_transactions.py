"""Writes take a transaction of their own only where their rollback guarantee needs one (restflow._writes)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from rest_framework import serializers

from restflow import _writes
from restflow._changed_fields import save_changed_fields
from tests.support.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_other_receivers(monkeypatch):
    """Save receivers other tests left connected (cache invalidation rules) are set aside here."""
    for signal in (pre_save, post_save):
        monkeypatch.setattr(signal, "receivers", [])
        signal.sender_receivers_cache.clear()
    yield
    for signal in (pre_save, post_save):
        signal.sender_receivers_cache.clear()


@pytest.fixture
def transactions(monkeypatch):
    """Records each write run in a transaction of ours."""
    opened = []
    original = _writes.atomic_run

    def recording(using, write, target):
        opened.append(write)
        return original(using, write, target)

    monkeypatch.setattr(_writes, "atomic_run", recording)
    return opened


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "category"]


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name", "permissions"]


class OwnCreate(ProductSerializer):
    def create(self, validated_data):
        Category.objects.create(name="made by create")
        return super().create(validated_data)


def valid(serializer):
    assert serializer.is_valid(), serializer.errors
    return serializer


def test_default_create_of_a_plain_model_runs_in_autocommit(transactions):
    serializer = valid(ProductSerializer(data={"name": "n", "sku": "a", "price": 1}))
    _writes.run_write("default", type(serializer).save, serializer)
    assert transactions == []
    assert Product.objects.filter(sku="a").exists()


def test_default_update_writing_changed_fields_runs_in_autocommit(transactions):
    product = Product.objects.create(name="n", sku="b")
    serializer = valid(ProductSerializer(product, data={"price": 5}, partial=True))
    _writes.run_write("default", save_changed_fields, serializer)
    assert transactions == []
    assert Product.objects.get(pk=product.pk).price == 5


def test_default_delete_relies_on_djangos_own_transaction(transactions):
    product = Product.objects.create(name="n", sku="c")
    _writes.run_write("default", type(product).delete, product)
    assert transactions == []
    assert not Product.objects.filter(pk=product.pk).exists()


def test_many_to_many_write_keeps_the_transaction(transactions):
    permission = Permission.objects.first()
    serializer = valid(GroupSerializer(data={"name": "g", "permissions": [permission.pk]}))
    _writes.run_write("default", type(serializer).save, serializer)
    assert len(transactions) == 1
    serializer = valid(GroupSerializer(data={"name": "h", "permissions": []}))
    _writes.run_write("default", type(serializer).save, serializer)
    assert len(transactions) == 2  # an empty list is still a many-to-many write: DRF calls set()


def test_overridden_create_keeps_the_transaction_and_its_rollback(transactions):
    serializer = valid(OwnCreate(data={"name": "n", "sku": "d", "price": 1}))
    _writes.run_write("default", type(serializer).save, serializer)
    assert len(transactions) == 1


def test_save_receiver_keeps_the_transaction_and_a_failing_one_leaves_nothing(transactions):
    def refuse(sender, instance, **kwargs):
        raise RuntimeError("receiver failed after the insert")

    post_save.connect(refuse, sender=Product, dispatch_uid="test_writes.refuse")
    try:
        serializer = valid(ProductSerializer(data={"name": "n", "sku": "e", "price": 1}))
        with pytest.raises(RuntimeError, match="after the insert"):
            _writes.run_write("default", type(serializer).save, serializer)
    finally:
        post_save.disconnect(dispatch_uid="test_writes.refuse", sender=Product)
    assert len(transactions) == 1
    assert not Product.objects.filter(sku="e").exists()


def test_hook_keeps_the_transaction(transactions):
    def hook(serializer):
        serializer.save()

    serializer = valid(ProductSerializer(data={"name": "n", "sku": "f", "price": 1}))
    _writes.run_write("default", hook, serializer)
    assert transactions == [hook]


def test_inside_an_outer_transaction_a_failed_write_is_contained(transactions):
    """Under ATOMIC_REQUESTS a savepoint keeps a failed statement from breaking the request's transaction."""
    Product.objects.create(name="n", sku="taken")
    serializer = ProductSerializer(data={"name": "n", "sku": "g", "price": 1})
    valid(serializer)
    serializer.validated_data["sku"] = "taken"  # a race past the unique validator
    with transaction.atomic():
        with pytest.raises(Exception):
            _writes.run_write("default", type(serializer).save, serializer)
        assert Product.objects.count() == 1  # the outer transaction still answers
    assert len(transactions) == 1


def test_restflow_model_serializer_default_create_runs_in_autocommit(transactions):
    from restflow.serializers import ModelSerializer

    class Annotated(ModelSerializer):
        class Meta:
            model = Product
            fields = ["id", "name", "sku", "price"]

    serializer = valid(Annotated(data={"name": "n", "sku": "h", "price": 1}))
    _writes.run_write("default", type(serializer).save, serializer)
    assert transactions == []
    assert Product.objects.filter(sku="h").exists()


# A default one-row create is done directly (restflow._writes._create_row): DRF's result exactly.


def _row(instance):
    from django.forms.models import model_to_dict

    return {key: value for key, value in model_to_dict(instance).items() if key not in ("id", "sku", "created", "updated")}


def test_direct_create_gives_drfs_row_instance_and_data(transactions):
    data = {"name": "  n  ", "price": 3, "category": Category.objects.create(name="c").pk}
    drf = valid(ProductSerializer(data={**data, "sku": "drf"}))
    drf_instance = drf.save()
    ours = valid(ProductSerializer(data={**data, "sku": "ours"}))
    assert _writes._creates_directly(ours)
    returned = _writes.run_write("default", type(ours).save, ours)
    assert transactions == []
    assert returned is ours.instance and ours.instance.pk is not None
    assert _row(Product.objects.get(pk=ours.instance.pk)) == _row(Product.objects.get(pk=drf_instance.pk))
    assert _row(ours.instance) == _row(drf_instance)
    assert {**ours.data, "id": 0, "sku": ""} == {**drf.data, "id": 0, "sku": ""}


def test_direct_create_leaves_drfs_create_aside(monkeypatch):
    calls = []
    original = serializers.ModelSerializer.create

    class Watched(ProductSerializer):
        pass

    serializer = valid(Watched(data={"name": "n", "sku": "w", "price": 1}))
    monkeypatch.setattr(_writes, "_create_row", lambda s: calls.append(s) or original(s, dict(s.validated_data)))
    _writes.run_write("default", type(serializer).save, serializer)
    assert calls == [serializer]


def test_direct_create_refusals_are_drfs():
    class Extra(ProductSerializer):
        extra = serializers.CharField()

        class Meta(ProductSerializer.Meta):
            fields = [*ProductSerializer.Meta.fields, "extra"]

    drf = valid(Extra(data={"name": "n", "sku": "x", "price": 1, "extra": "e"}))
    with pytest.raises(TypeError) as drf_error:
        drf.save()
    serializer = valid(Extra(data={"name": "n", "sku": "x", "price": 1, "extra": "e"}))
    assert _writes._creates_directly(serializer)
    with pytest.raises(TypeError) as our_error:
        _writes.run_write("default", type(serializer).save, serializer)
    assert str(our_error.value) == str(drf_error.value)
    assert "Got a `TypeError` when calling `Product.objects.create()`" in str(our_error.value)
    assert not Product.objects.filter(sku="x").exists()
    rendered = valid(ProductSerializer(data={"name": "n", "sku": "y", "price": 1}))
    rendered.data  # noqa: B018
    assert not _writes._creates_directly(rendered)
    with pytest.raises(AssertionError, match="after accessing `serializer.data`"):
        _writes.run_write("default", type(rendered).save, rendered)


def test_nested_and_dotted_writes_keep_drfs_create():
    class Dotted(serializers.ModelSerializer):
        category_name = serializers.CharField(source="category.name", required=False)

        class Meta:
            model = Product
            fields = ["name", "sku", "category_name"]

    serializer = valid(Dotted(data={"name": "n", "sku": "z"}))
    assert not _writes._creates_directly(serializer)
    _writes.run_write("default", type(serializer).save, serializer)
    assert Product.objects.filter(sku="z").exists()


def test_restflow_serializer_with_only_an_async_create_is_refused_as_before():
    from restflow.serializers import ModelSerializer

    class AsyncOnly(ModelSerializer):
        class Meta:
            model = Product
            fields = ["id", "name", "sku", "price"]

        async def acreate(self, validated_data):
            return await Product.objects.acreate(**validated_data)

    serializer = valid(AsyncOnly(data={"name": "n", "sku": "async", "price": 1}))
    assert not _writes._creates_directly(serializer)
    with pytest.raises(TypeError, match="asave"):
        _writes.run_write("default", type(serializer).save, serializer)
