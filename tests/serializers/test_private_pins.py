"""What the serializer engine relies on in DRF and Django beyond their documented API, pinned by name.

The engine (restflow._fields_cache, _plan, _validation, _unique_probe, _writes,
_changed_fields) stands in for DRF's own code only under the DRF releases CI tests
(restflow._drf_own.TESTED_DRF); an upgrade that changes one of these fails here, by
name, before it can change what the oracle tests see.
"""

import copy

import pytest
from django.db import DatabaseError, models
from django.db.models.sql.compiler import SQLCompiler
from rest_framework import fields, serializers, validators
from rest_framework.utils import model_meta
from rest_framework.utils.serializer_helpers import BindingDict

from restflow import _changed_fields
from restflow._drf_own import TESTED_DRF, plans_enabled
from tests.support.testapp.models import Product

# --- DRF ----------------------------------------------------------------------------------


def test_tested_releases_are_the_ones_the_plans_run_for():
    low, high = TESTED_DRF
    assert plans_enabled(f"{low[0]}.{low[1]}.0") and plans_enabled(f"{high[0]}.{high[1]}.9")
    assert not plans_enabled(f"{low[0]}.{low[1] - 1}.9") and not plans_enabled(f"{high[0]}.{high[1] + 1}.0")
    assert not plans_enabled("not a version")


def test_a_field_copy_is_a_fresh_construction_from_its_arguments_counted_by_creation_counter():
    """_fields_cache.Snapshot copies ``__dict__`` (``_kwargs`` included) and bumps the class counter."""
    field = serializers.CharField(max_length=3)
    before = fields.Field._creation_counter
    copied = copy.deepcopy(field)
    assert fields.Field._creation_counter == before + 1 and copied._creation_counter == before
    assert copied._kwargs == {"max_length": 3} and type(copied).__deepcopy__ is fields.Field.__deepcopy__


def test_binding_dict_keeps_its_fields_in_a_plain_dict_named_fields():
    parent = serializers.Serializer()
    bound = BindingDict(parent)
    bound["name"] = serializers.CharField()
    assert type(bound.fields) is dict and list(bound.fields) == ["name"] and bound["name"].parent is parent


def test_serializer_state_lives_in_the_attributes_the_engine_reads_and_sets():
    class One(serializers.Serializer):
        name = serializers.CharField()
        secret = serializers.CharField(write_only=True, required=False)

    serializer = One(data={"name": "a"})
    assert serializer.is_valid()
    assert serializer._validated_data == {"name": "a"} and serializer._errors == {}
    assert [field.field_name for field in serializer._readable_fields] == ["name"]
    assert [field.field_name for field in serializer._writable_fields] == ["name", "secret"]
    assert "_data" not in vars(serializer)
    serializer.data  # noqa: B018 - DRF caches it in _data
    assert "_data" in vars(serializer)


def test_the_methods_the_representation_plan_compares_exist_on_drfs_field_classes():
    assert callable(fields.BooleanField._lower_if_str)
    assert callable(fields.DecimalField.quantize)
    assert callable(fields.DateTimeField.enforce_timezone) and callable(fields.DateTimeField.default_timezone)
    assert serializers.ChoiceField(choices=[("a", "A")]).choice_strings_to_values == {"a": "a"}


def test_model_meta_and_nested_write_checks_are_where_the_update_path_calls_them():
    info = model_meta.get_field_info(Product)
    assert "category" in info.relations and not info.relations["category"].to_many
    assert callable(serializers.raise_errors_on_nested_writes)


def test_unique_validator_builds_its_query_from_the_two_steps_the_probe_calls():
    validator = validators.UniqueValidator(queryset=Product.objects.all())
    queryset = validator.exclude_current_instance(validator.filter_queryset("v", validator.queryset, "sku"), None)
    assert queryset.query.where and validator.lookup == "exact"


# --- Django -------------------------------------------------------------------------------


def test_a_default_manager_is_plain_and_its_create_wraps_querysets():
    manager = Product._default_manager
    assert manager._queryset_class is models.QuerySet
    assert type(manager).create.__wrapped__ is models.QuerySet.create


def test_an_exists_query_compiles_and_answers_through_has_results():
    compiler = Product.objects.filter(sku="x").query.exists().get_compiler(using="default")
    assert type(compiler).has_results is SQLCompiler.has_results
    sql, params = compiler.as_sql()
    assert sql and list(params).count("x") == 1  # the value is one parameter the probe can swap


@pytest.mark.django_db
def test_model_state_holds_the_load_record():
    product = Product.objects.create(name="a", sku="pin-state")
    _changed_fields.remember_loaded(product)
    assert product._state.restflow_loaded["name"] == "a"
    assert copy.copy(product)._state.restflow_loaded is not None


@pytest.mark.django_db
def test_an_update_of_a_deleted_row_is_refused_the_way_the_update_path_recognises():
    """save(update_fields=...) of a row that is gone: Model.NotUpdated (Django 6.0+) or the message."""
    product = Product.objects.create(name="a", sku="pin-gone")
    _changed_fields.remember_loaded(product)
    Product.objects.filter(pk=product.pk).delete()
    with pytest.raises(DatabaseError) as raised:
        product.save(update_fields=["name"])
    assert _changed_fields._row_gone(product, raised.value)
    not_updated = getattr(Product, "NotUpdated", None)
    if not_updated is None:
        assert str(raised.value) == _changed_fields.NOT_UPDATED_MESSAGE


@pytest.mark.django_db
def test_django_reads_update_fields_once_after_the_models_own_save_began():
    """The update path hands save() an object that works out its list when Django reads it."""
    product = Product.objects.create(name="a", sku="pin-lazy")
    reads = []

    class Lazy:
        def __len__(self):
            reads.append("len")
            return 1

        def __iter__(self):
            reads.append("iter")
            return iter(["name"])

    product.name = "b"
    product.save(update_fields=Lazy())
    assert reads == ["len", "iter"]
    assert Product.objects.get(pk=product.pk).name == "b"
