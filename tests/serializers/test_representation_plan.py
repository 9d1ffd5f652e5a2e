"""Cached fields and representation plans (restflow._plan) give DRF's output, byte for byte.

Generated rows are rendered through DRF's own ``serializer.data`` and through
the plan (each twin of the executor), both passed through DRF's JSONRenderer;
the bytes, or the exception type when DRF raises, must be the same. The
budget is small and fixed for CI; ``RESTFLOW_PLAN_EXAMPLES`` raises it.
"""

import datetime
import decimal
import enum
import os
import types
import uuid
import zoneinfo

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from restflow import _fields_cache, _plan, _speedups_py
from restflow._memo import clear_all
from restflow import serializers as restflow_serializers
from tests.support.testapp.models import Category, Product

try:
    from restflow import _speedups as compiled
except ImportError:
    compiled = None

TWINS = [pytest.param(_speedups_py, id="twin")] + (
    [pytest.param(compiled, id="compiled")] if compiled is not None else []
)
EXAMPLES = int(os.environ.get("RESTFLOW_PLAN_EXAMPLES", "60"))
hypothesis_settings = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"]


@pytest.fixture(params=TWINS)
def twin(request, monkeypatch, fresh_memos):
    """Run the plan through one executor twin."""
    monkeypatch.setattr(_plan, "speedups", request.param)
    return request.param


class Colour(enum.Enum):
    RED = "r"
    BLUE = 2


class PlainSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    big = serializers.IntegerField(required=False)
    if hasattr(serializers, "BigIntegerField"):  # DRF 3.17 and later
        huge = serializers.BigIntegerField()
        huge_text = serializers.BigIntegerField(coerce_to_string=True)
    text = serializers.CharField()
    flag = serializers.BooleanField(allow_null=True)
    ratio = serializers.FloatField()
    price = serializers.DecimalField(max_digits=12, decimal_places=3)
    loose = serializers.DecimalField(max_digits=None, decimal_places=2)
    raw = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
    local = serializers.DecimalField(max_digits=10, decimal_places=2, localize=True)
    normal = serializers.DecimalField(max_digits=10, decimal_places=4, normalize_output=True)
    when = serializers.DateTimeField()
    when_fixed = serializers.DateTimeField(default_timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    when_text = serializers.DateTimeField(format="%Y/%m/%d %H:%M:%S.%f %z")
    day = serializers.DateField()
    clock = serializers.TimeField()
    span = serializers.DurationField()
    ident = serializers.UUIDField()
    colour = serializers.ChoiceField(choices=[("r", "Red"), (2, "Blue"), ("", "None")])
    anything = serializers.ReadOnlyField()
    renamed = serializers.CharField(source="text")
    blob = serializers.JSONField()
    secret = serializers.CharField(write_only=True)
    shout = serializers.SerializerMethodField()

    def get_shout(self, obj):
        return str(getattr(obj, "text", "")).upper()


texts = st.one_of(st.text(), st.sampled_from(["\u2028", "\u2029", "caf\u00e9 \U0001f600", "", " x "]))
integers = st.one_of(st.integers(), st.integers(-(2**70), 2**70), st.just(True))
decimals = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**6), max_value=10**6, places=4),
    st.sampled_from([decimal.Decimal("NaN"), decimal.Decimal("-0.000"), decimal.Decimal("1E+2")]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
aware_datetimes = st.datetimes(
    min_value=datetime.datetime(1800, 1, 1), max_value=datetime.datetime(2200, 1, 1),
    timezones=st.one_of(st.just(datetime.timezone.utc), st.sampled_from([zoneinfo.ZoneInfo(z) for z in ZONES]),
                        st.builds(lambda m: datetime.timezone(datetime.timedelta(minutes=m)), st.integers(-1439, 1439))),
)
naive_datetimes = st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30))
datetimes = st.one_of(aware_datetimes, naive_datetimes, st.sampled_from(["2020-01-01T00:00:00Z", ""]))
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731

plain_rows = st.fixed_dictionaries(
    {
        "number": maybe(integers),
        "text": maybe(texts),
        "huge": maybe(integers),
        "huge_text": maybe(integers),
        "flag": maybe(st.one_of(st.booleans(), st.sampled_from(["yes", "no", "null", "", 0, 1, 2, 0.0]))),
        "ratio": maybe(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**60), 2**60))),
        "price": maybe(decimals),
        "loose": maybe(decimals),
        "raw": maybe(decimals),
        "local": maybe(decimals),
        "normal": maybe(decimals),
        "when": maybe(datetimes),
        "when_fixed": maybe(datetimes),
        "when_text": maybe(aware_datetimes),
        "day": maybe(st.one_of(st.dates(), st.just(""))),
        "clock": maybe(st.times()),
        "span": maybe(st.timedeltas()),
        "ident": maybe(st.uuids()),
        "colour": maybe(st.sampled_from(["r", "2", 2, "", "other", Colour.RED, Colour.BLUE, 3])),
        "anything": maybe(st.one_of(texts, st.integers(), st.lists(st.integers(), max_size=3))),
        "blob": maybe(st.dictionaries(st.text(max_size=3), st.integers(), max_size=3)),
        "secret": texts,
    },
    optional={"big": integers},
)


def _outcome(produce):
    """The rendered bytes, or the exception type when rendering raises."""
    try:
        return JSONRenderer().render(produce())
    except Exception as exc:  # compared between the two paths, never swallowed silently
        return type(exc)


def _via_plan(serializer):
    data = _plan.represent(serializer)
    assert data is not None, "the plan did not apply"
    return data


def _compare(make, twin):
    drf = _outcome(lambda: make().data)
    planned = _outcome(lambda: _via_plan(make()))
    assert planned == drf


@given(rows=st.lists(plain_rows, max_size=4), zone=st.sampled_from(ZONES), use_tz=st.booleans(),
       as_dict=st.booleans())
@hypothesis_settings
def test_plain_rows_render_like_drf(twin, rows, zone, use_tz, as_dict):
    objects = [row if as_dict else types.SimpleNamespace(**row) for row in rows]
    with override_settings(USE_TZ=use_tz), timezone.override(zoneinfo.ZoneInfo(zone)):
        _compare(lambda: PlainSerializer(objects, many=True), twin)
        for obj in objects:
            _compare(lambda: PlainSerializer(obj), twin)


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "description", "price", "weight", "rating", "in_stock", "status",
                  "category", "released", "created", "updated"]


class RestflowProductSerializer(restflow_serializers.ModelSerializer):
    """restflow's ModelSerializer (a DRF subclass with annotated fields): the plan renders it too."""

    label: str = restflow_serializers.Field(source="name", read_only=True)

    class Meta:
        model = Product
        fields = ProductSerializer.Meta.fields


product_values = st.fixed_dictionaries(
    {
        "id": maybe(integers),
        "name": texts,
        "sku": texts,
        "description": texts,
        "price": integers,
        "weight": st.floats(allow_nan=False, allow_infinity=False),
        "rating": decimals,
        "in_stock": st.booleans(),
        "status": st.one_of(st.sampled_from(list(Product.Status)), texts),
        "category_id": maybe(integers),
        "released": maybe(st.dates()),
        "created": datetimes,
        "updated": maybe(aware_datetimes),
    }
)


@given(values=st.lists(product_values, max_size=4), zone=st.sampled_from(ZONES), use_tz=st.booleans(),
       coerce=st.booleans(), coerce_bigint=st.booleans())
@hypothesis_settings
def test_model_rows_render_like_drf(twin, values, zone, use_tz, coerce, coerce_bigint):
    products = [Product(**value) for value in values]
    drf_settings = {"COERCE_DECIMAL_TO_STRING": coerce, "COERCE_BIGINT_TO_STRING": coerce_bigint}
    with override_settings(USE_TZ=use_tz, REST_FRAMEWORK=drf_settings), timezone.override(zoneinfo.ZoneInfo(zone)):
        for serializer_class in (ProductSerializer, RestflowProductSerializer):
            _compare(lambda: serializer_class(products, many=True), twin)
            for product in products:
                _compare(lambda: serializer_class(product), twin)


def test_related_instance_renders_its_primary_key(twin):
    category = Category(id=7, name="tools")
    product = Product(id=1, name="saw", sku="s", category=category, created=timezone.now())
    assert _via_plan(ProductSerializer(product))["category"] == 7
    assert JSONRenderer().render(_via_plan(ProductSerializer(product))) == JSONRenderer().render(
        ProductSerializer(product).data
    )


def test_missing_optional_attribute_is_left_out_as_drf_does(twin):
    """A row the plan cannot read is rendered by DRF: an optional missing attribute is skipped."""

    class Optional(serializers.Serializer):
        a = serializers.IntegerField()
        b = serializers.IntegerField(required=False)

    objects = [types.SimpleNamespace(a=1, b=2), types.SimpleNamespace(a=3)]
    assert _via_plan(Optional(objects, many=True)) == [{"a": 1, "b": 2}, {"a": 3}]


def test_callable_source_is_called_as_drf_does(twin):
    class Named(serializers.Serializer):
        label = serializers.CharField()

    obj = types.SimpleNamespace(label=lambda: "called")
    assert _via_plan(Named(obj)) == {"label": "called"} == Named(obj).data


# Classes the plan leaves to DRF.


class OwnRepresentation(serializers.Serializer):
    a = serializers.IntegerField()

    def to_representation(self, instance):
        return {"a": instance.a * 2}


class CustomField(serializers.IntegerField):
    def to_representation(self, value):
        return value + 1


class WithCustomField(serializers.Serializer):
    a = CustomField()


class Dotted(serializers.Serializer):
    a = serializers.IntegerField(source="inner.a")


class Star(serializers.Serializer):
    a = serializers.DictField(source="*")


class Nested(serializers.Serializer):
    inner = Dotted()


class OwnGetFields(serializers.Serializer):
    a = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields["b"] = serializers.IntegerField(default=5)
        return fields


class ShapedInInit(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("b")


@pytest.mark.parametrize(
    "serializer_class", [OwnRepresentation, WithCustomField, Dotted, Star, Nested, OwnGetFields]
)
def test_customised_classes_are_left_to_drf(twin, serializer_class):
    obj = types.SimpleNamespace(a=1, inner=types.SimpleNamespace(a=2))
    assert _plan.represent(serializer_class(obj)) is None
    assert _plan.represent(serializer_class([obj], many=True)) is None


def test_fields_shaped_in_init_are_kept(twin):
    obj = types.SimpleNamespace(a=1, b=2)
    assert _plan.represent(ShapedInInit(obj)) is None
    _plan.prime_fields(ShapedInInit(obj))
    assert ShapedInInit(obj).data == {"a": 1}


def test_representation_already_taken_is_not_redone(twin):
    serializer = PlainSerializer(types.SimpleNamespace())
    serializer._data = {"kept": True}
    assert _plan.represent(serializer) is None


# Cached fields.


def test_primed_fields_are_per_instance_copies_bound_to_their_serializer():
    first, second = ProductSerializer(), ProductSerializer()
    _plan.prime_fields(first)
    _plan.prime_fields(second)
    assert list(first.fields) == list(ProductSerializer().fields)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
        assert first.fields[name].field_name == name
    first.fields["name"].label = "changed"
    assert second.fields["name"].label != "changed"
    assert repr(first.fields["price"]) == repr(ProductSerializer().fields["price"])


@pytest.mark.django_db
def test_primed_fields_validate_like_drf():
    data = {"name": "n", "sku": "x" * 60, "price": "abc", "rating": "1.234", "status": "nope"}
    fresh = ProductSerializer(data=data)
    primed = ProductSerializer(data=data)
    _plan.prime_fields(primed)
    assert fresh.is_valid() is primed.is_valid() is False
    assert fresh.errors == primed.errors


def test_fields_already_built_are_left_alone():
    serializer = ShapedInInit()
    _plan.prime_fields(serializer)
    assert list(serializer.fields) == ["a"]


def test_customised_field_building_is_not_cached():
    serializer = OwnGetFields()
    _plan.prime_fields(serializer)
    assert "fields" not in serializer.__dict__
    assert list(serializer.fields) == ["a", "b"]


def test_settings_change_clears_the_cache():
    _plan.prime_fields(ProductSerializer())
    assert ProductSerializer in _fields_cache._templates
    with override_settings(REST_FRAMEWORK={"COERCE_DECIMAL_TO_STRING": False}):
        assert ProductSerializer not in _fields_cache._templates


def test_method_field_runs_once_per_row_also_for_rows_drf_renders(twin):
    calls = []

    class Counting(serializers.Serializer):
        seen = serializers.SerializerMethodField()
        b = serializers.IntegerField(required=False)

        def get_seen(self, obj):
            calls.append(obj.a)
            return obj.a

    objects = [types.SimpleNamespace(a=1, b=2), types.SimpleNamespace(a=3)]
    assert _via_plan(Counting(objects, many=True)) == [{"seen": 1, "b": 2}, {"seen": 3}]
    assert calls == [1, 3]


def test_meta_changed_after_first_use_is_not_seen():
    """Difference from DRF (docs/differences.md): fields are built once per class, so a Meta
    changed at run time is seen only after ``restflow._memo.clear_all()`` (or any settings change)."""

    class Changing(serializers.ModelSerializer):
        class Meta:
            model = Product
            fields = ["id"]

    first = Changing()
    _plan.prime_fields(first)
    Changing.Meta.fields = ["id", "name"]
    later = Changing()
    _plan.prime_fields(later)
    assert list(later.fields) == ["id"]
    clear_all()
    fresh = Changing()
    _plan.prime_fields(fresh)
    assert list(fresh.fields) == ["id", "name"]
