"""Cheap field copies, cached validators and the validation plan give DRF's results exactly.

Generated inputs (valid and invalid: missing, blank, too long, wrong type, None,
unicode, huge integers, unique clashes, partial updates) go through DRF's own
``is_valid()`` on one serializer and through restflow's (``_serializing._is_valid``:
cached fields, cached validators, the plan) on another; the outcome, the
validated data (values and their types) and the errors (messages, codes, field
order, rendered bytes) must be the same. The budget is small and fixed for CI;
``RESTFLOW_PLAN_EXAMPLES`` raises it.
"""

import copy
import decimal
import os
import re

import pytest
from django.core.validators import RegexValidator
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.validators import UniqueValidator

from restflow import _fields_cache, _plan, _serializing, _validation
from restflow._memo import clear_all
from restflow._unique_probe import UniqueProbe
from restflow import serializers as restflow_serializers
from tests.support.serializersapp.models import Article, Author
from tests.support.testapp.models import Category, Product

EXAMPLES = int(os.environ.get("RESTFLOW_PLAN_EXAMPLES", "60"))
hypothesis_settings = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_memos):
    """Every test starts with no class's fields, plans or validators cached."""


def _odd(value):
    if value == "odd":
        raise serializers.ValidationError("No odd values.", code="odd")


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "description", "price", "weight", "rating", "in_stock", "status",
                  "category", "released", "created"]


class RestflowProductSerializer(restflow_serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "in_stock", "status"]


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "body", "author", "score", "published"]


class Fields(serializers.Serializer):
    text = serializers.CharField(max_length=8, min_length=2)
    blankable = serializers.CharField(allow_blank=True, required=False)
    untrimmed = serializers.CharField(trim_whitespace=False, allow_null=True, required=False)
    defaulted = serializers.CharField(default="dflt")
    patterned = serializers.CharField(required=False, validators=[RegexValidator(r"^[a-z]*$"), _odd])
    email = serializers.EmailField(required=False)
    slug = serializers.SlugField(required=False, allow_blank=True)
    number = serializers.IntegerField(min_value=-5, max_value=10**20, required=False)
    nullable_number = serializers.IntegerField(allow_null=True, default=3)
    flag = serializers.BooleanField(required=False)
    maybe = serializers.BooleanField(allow_null=True, required=False)
    colour = serializers.ChoiceField(choices=[("r", "Red"), (2, "Blue"), ("", "None")], required=False)
    size = serializers.ChoiceField(choices=["s", "m"], allow_blank=True, allow_null=True, required=False)
    grouped = serializers.ChoiceField(choices=[("Group", [("a", "A"), ("b", "B")]), ("c", "C")], required=False)
    amount = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    listed = serializers.ListField(child=serializers.IntegerField(), required=False)
    renamed = serializers.CharField(source="inner.name", required=False)
    shown = serializers.ReadOnlyField(default="x")

    def validate_slug(self, value):
        if value == "bad":
            raise serializers.ValidationError("Not that slug.")
        return value.upper()

    def validate(self, attrs):
        if attrs.get("text") == "boom":
            raise serializers.ValidationError({"text": ["Exploded."]}, code="boom")
        return attrs


class Together(serializers.Serializer):
    first = serializers.CharField(required=False)
    second = serializers.IntegerField(required=False)

    class Meta:
        validators = []

    def validate(self, attrs):
        if attrs.get("first") == "x" and attrs.get("second") == 1:
            raise serializers.ValidationError("first x with second 1 is refused.")
        return attrs


TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "  ab  ", "\t", "odd", "bad", "boom", "a\x00b", "\ud800", "é" * 9, "héllo",
                     "x" * 60, "x" * 201, "r", "2", "s", "m", "a", "c", "Group", "draft", "active",
                     "me@example.com", "not an email", "good-slug", "7", "-3", "1.0", "true", "no"]),
)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, 1, 2, -6, 10**18, 10**19, 10**5000, True, False, None, 1.5, 2.0, float("nan"),
                     [], [1, "2"], {}, {"name": "n"}, decimal.Decimal("1.1")]),
)


def _data(likely, required=()):
    """Dicts of some of ``likely``'s names: half of them with likely values for each field only
    (the plan's ground, the ``required`` names always there), half with any value here and there."""
    return st.one_of(
        st.fixed_dictionaries(
            {name: likely[name] for name in required},
            optional={name: values for name, values in likely.items() if name not in required},
        ),
        st.fixed_dictionaries({}, optional={name: st.one_of(values, values, VALUES) for name, values in likely.items()}),
    )


SHORT = st.text(min_size=2, max_size=8)
FIELDS_DATA = _data({
    "text": SHORT,
    "blankable": TEXT,
    "untrimmed": TEXT,
    "defaulted": TEXT,
    "patterned": st.sampled_from(["abc", "odd", "ABC", ""]),
    "email": st.sampled_from(["me@example.com", "me@", "x"]),
    "slug": st.sampled_from(["a-slug", "bad", "not a slug", ""]),
    "number": st.one_of(st.integers(min_value=-10, max_value=100), st.sampled_from([10**18 - 1, 10**18, 10**20 + 1])),
    "nullable_number": st.one_of(st.none(), st.integers(), st.integers(-(10**20), 10**20)),
    "flag": st.booleans(),
    "maybe": st.one_of(st.none(), st.booleans()),
    "colour": st.sampled_from(["r", "2", "", "x"]),
    "size": st.sampled_from(["s", "m", "", "q", None]),
    "grouped": st.sampled_from(["a", "c", "Group"]),
    "amount": st.sampled_from(["1.23", 1, "x", "123456"]),
    "listed": st.lists(st.integers(), max_size=3),
    "renamed": SHORT,
    "shown": SHORT,
    "unknown": SHORT,
}, required=["text"])
CATEGORY = "<the product's category>"
PRODUCT_DATA = _data({
    "name": st.text(max_size=205),
    "sku": st.one_of(st.sampled_from(["taken", "hammer", "free", " spaced "]), st.text(max_size=52)),
    "description": TEXT,
    "price": st.integers(min_value=-(2**31), max_value=2**31),
    "weight": st.floats(allow_nan=False),
    "rating": st.sampled_from(["1.25", "99.99", "100", 3, "x"]),
    "in_stock": st.booleans(),
    "status": st.sampled_from(["draft", "active", "archived", "gone", ""]),
    "category": st.sampled_from([CATEGORY, None, 10**6, "x"]),
    "released": st.sampled_from(["2024-02-29", "2023-02-29", None]),
    "created": st.sampled_from(["2024-01-01T10:00:00Z", "yesterday"]),
    "id": st.integers(),
}, required=["name", "sku"])


def _outcome(serializer, valid):
    errors = serializer.errors
    return (
        valid,
        [(key, value, type(value)) for key, value in serializer.validated_data.items()] if valid else None,
        list(errors.items()),
        [(key, repr(value)) for key, value in errors.items()],  # ErrorDetail's repr shows its code
        _rendered(errors),
    )


def _rendered(errors):
    try:
        return JSONRenderer().render(errors)
    except UnicodeEncodeError:  # a lone surrogate quoted in DRF's message
        return UnicodeEncodeError


def _result(serializer, is_valid):
    """The outcome, or the type of the exception raised (DRF raises ValueError for a 5,000-digit
    integer given to a CharField)."""
    try:
        valid = is_valid(serializer)
    except Exception as exc:  # noqa: BLE001 - compared with DRF's
        return type(exc)
    return _outcome(serializer, valid)


def _compare(make):
    expected = _result(make(), lambda serializer: serializer.is_valid())
    ours = make()
    assert _result(ours, lambda serializer: _serializing._is_valid(serializer, False)) == expected
    return ours


def _planned(serializer):
    """True when the plan validated (its first pass accepted the input)."""
    _plan.prime_fields(serializer)
    return _validation._planned_outcomes(serializer) is not None


@hypothesis_settings
@given(data=FIELDS_DATA, partial=st.booleans())
def test_plain_fields_validate_like_drf(data, partial):
    _compare(lambda: Fields(data=copy.deepcopy(data), partial=partial))


@hypothesis_settings
@given(data=_data({"first": st.sampled_from(["x", "y"]), "second": st.integers(0, 2)}))
def test_serializer_level_validation_like_drf(data):
    _compare(lambda: Together(data=copy.deepcopy(data)))


@pytest.mark.django_db
@hypothesis_settings
@given(data=PRODUCT_DATA, partial=st.booleans(), update=st.booleans())
def test_model_serializer_validates_like_drf(product, data, partial, update):
    if data.get("category") == CATEGORY:
        data["category"] = product.category_id
    instance = product if update else None
    _compare(lambda: ProductSerializer(instance, data=copy.deepcopy(data), partial=partial))
    _compare(lambda: RestflowProductSerializer(instance, data=copy.deepcopy(data), partial=partial))


@pytest.fixture
def product():
    category = Category.objects.create(name="tools")
    Product.objects.create(name="Other", sku="taken", price=1)
    return Product.objects.create(name="Hammer", sku="hammer", price=5, category=category)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"name": "New", "sku": "new-1", "price": 7},
        {"name": "  padded  ", "sku": "new-2", "price": 7, "in_stock": False, "status": "draft"},
        {"name": "New", "sku": "taken", "price": 7},  # unique clash
        {"name": "New", "sku": "taken", "price": "x"},
        {"name": "", "sku": "", "price": None},
        {"name": "x" * 201, "sku": "ok", "price": 10**19},
        {"name": "New", "sku": "new-3", "price": 7, "category": 10**6},
        {"name": "New", "sku": "new-4", "price": 7, "status": "gone"},
    ],
)
def test_model_serializer_examples(product, data):
    serializer = _compare(lambda: ProductSerializer(data=dict(data)))
    _compare(lambda: ProductSerializer(product, data=dict(data), partial=True))
    assert serializer.is_valid() is (data["sku"] in ("new-1", "new-2"))


@pytest.mark.django_db
def test_clean_input_takes_the_plan(product):
    data = {"name": "New", "sku": "new", "price": 7, "in_stock": True, "status": "draft", "released": None}
    assert _planned(ProductSerializer(data=data))
    assert _planned(RestflowProductSerializer(data={"name": "New", "sku": "new", "price": 7}))
    assert _planned(Fields(data={"text": "abc", "slug": "s", "colour": "r", "flag": False}))
    serializer = ProductSerializer(data=data)
    _plan.prime_fields(serializer)
    plan, outcomes, _ = _validation._planned_outcomes(serializer)
    by_name = {column.name: outcome for column, outcome in zip(plan.columns, outcomes)}
    assert by_name["name"] == ("New", False)  # its validators are plain checks, made in the first pass
    assert by_name["sku"][0] == "new"  # a UniqueValidator: its query is asked first
    assert isinstance(by_name["sku"][1], UniqueProbe)
    assert by_name["created"] is _validation._SKIP and by_name["released"] is None  # DRF judges a given date
    assert by_name["rating"] is None  # DecimalField has its own validate_empty_values: DRF judges it
    # Inputs whose outcome the plan does not decide go to DRF whole.
    assert not _planned(ProductSerializer(data={**data, "price": "7"}))
    assert not _planned(ProductSerializer(data={**data, "name": ""}))
    assert not _planned(ProductSerializer(data={"sku": "new"}))


@pytest.mark.django_db
def test_unique_together_validators_are_cached_and_per_instance():
    author = Author.objects.create(name="Ann")
    Article.objects.create(title="Taken", author=author)
    for title in ("Taken", "Free"):
        _compare(lambda: ArticleSerializer(data={"title": title, "author": author.pk}))
    first, second = ArticleSerializer(data={}), ArticleSerializer(data={})
    _serializing._is_valid(first, False)
    _serializing._is_valid(second, False)
    assert first.validators is not second.validators
    assert [type(v) for v in first.validators] == [type(v) for v in ArticleSerializer().get_validators()]
    first.validators.append(_odd)
    assert _odd not in second.validators


def test_own_validators_are_not_cached():
    calls = []

    class Own(Together):
        def get_validators(self):
            calls.append(1)
            return []

    for _ in range(2):
        _serializing._is_valid(Own(data={"first": "a"}), False)
    assert len(calls) == 2


def test_hooks_and_own_validation_take_drfs_path():
    class OwnInternalValue(Together):
        def to_internal_value(self, data):
            return {"first": "mine"}

    class AsyncHook(restflow_serializers.Serializer):
        name = serializers.CharField()

        async def validate_name(self, value):
            return value

    serializer = OwnInternalValue(data={"first": "a"})
    assert not _planned(serializer)
    assert _serializing._is_valid(serializer, False) and serializer.validated_data == {"first": "mine"}
    assert not _planned(AsyncHook(data={"name": "a"}))
    instance_hook = Together(data={"first": "a"})
    instance_hook.validate_first = lambda value: value.upper()
    assert not _planned(instance_hook)
    assert _serializing._is_valid(instance_hook, False) and instance_hook.validated_data == {"first": "A"}


def test_validation_errors_raise_like_drf():
    with pytest.raises(serializers.ValidationError) as raised:
        _serializing._is_valid(Fields(data={"text": "boom"}), True)
    assert raised.value.detail == {"text": ["Exploded."]}
    with pytest.raises(serializers.ValidationError) as raised:
        _serializing._is_valid(Fields(data={"text": "a", "number": 7}), True)
    assert list(raised.value.detail) == ["text"]


# Cheap copies of fields.


def _comparable(value):
    """Validators (made anew per construction, some without ``__eq__``) as their class and state."""
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if type(value).__module__ in ("django.core.validators", "rest_framework.validators"):
        return type(value), {key: str(item) for key, item in vars(value).items() if key != "_constructor_args"}
    return value


def _state(field):
    return {key: _comparable(value) for key, value in vars(field).items() if key != "_creation_counter"}


@pytest.mark.parametrize("serializer_class", [ProductSerializer, ArticleSerializer, Fields, RestflowProductSerializer])
def test_copies_hold_what_drfs_deep_copy_holds(serializer_class):
    parent = serializer_class()
    template = parent.get_fields()
    recipe = _fields_cache.recipe(parent, template)
    snapshots = 0
    for name, how in recipe:
        drf_copy = copy.deepcopy(template[name])
        assert repr(drf_copy) == repr(template[name])
        if not isinstance(how, _fields_cache.Snapshot):
            assert how is template[name]  # deep-copied per instance, as DRF does
            continue
        snapshots += 1
        ours = how.copy(parent)
        if how.bound:
            drf_copy.bind(name, parent)
        assert type(ours) is type(drf_copy)
        assert _state(ours) == _state(drf_copy), name
        assert ours._creation_counter > template[name]._creation_counter
        for key, value in vars(ours).items():
            if isinstance(value, (list, dict, set)):
                assert value is not how.state[key], (name, key)
        assert repr(ours) == repr(drf_copy)
    assert snapshots >= len(recipe) - 2  # ListField (a child field) and the grouped choices are deep-copied


def test_fields_with_state_of_their_own_are_deep_copied():
    class Marker:
        pass

    class Stateful(serializers.Serializer):
        custom_default = serializers.CharField(default=Marker())
        nested_choices = serializers.ChoiceField(choices=[("G", [("a", "A")])])
        child = serializers.ListField(child=serializers.CharField())
        plain = serializers.CharField()

    serializer = Stateful()
    recipe = dict(_fields_cache.recipe(serializer, serializer.get_fields()))
    assert not isinstance(recipe["custom_default"], _fields_cache.Snapshot)
    assert not isinstance(recipe["nested_choices"], _fields_cache.Snapshot)
    assert not isinstance(recipe["child"], _fields_cache.Snapshot)
    assert isinstance(recipe["plain"], _fields_cache.Snapshot)


def test_copied_fields_are_independent_per_instance():
    first, second = Fields(), Fields()
    _plan.prime_fields(first)
    _plan.prime_fields(second)
    drf = Fields()
    for name, field in first.fields.items():
        assert (field.parent, field.field_name, field.label, field.source, field.source_attrs) == (
            first, name, drf.fields[name].label, drf.fields[name].source, drf.fields[name].source_attrs
        )
        assert field.source_attrs is not second.fields[name].source_attrs
    first.fields["text"].validators.append(_odd)
    first.fields["text"].error_messages["blank"] = "changed"
    first.fields["colour"].choice_strings_to_values["new"] = "new"
    assert _odd not in second.fields["text"].validators
    assert second.fields["text"].error_messages["blank"] != "changed"
    assert "new" not in second.fields["colour"].choice_strings_to_values
    assert isinstance(second.fields["text"].validators[0], type(first.fields["text"].validators[0]))
    assert re.search("max_length=8", repr(second.fields["text"]))


def test_a_field_drf_refuses_to_bind_is_refused_as_drf_does():
    class Redundant(serializers.Serializer):
        a = serializers.CharField(source="a")

    with pytest.raises(AssertionError, match="redundant"):
        Redundant().fields  # noqa: B018
    serializer = Redundant(data={"a": "x"})
    with pytest.raises(AssertionError, match="redundant"):
        _serializing._is_valid(serializer, False)


# The unique probe: DRF's query, its answer, DRF's error.


@pytest.mark.django_db
@pytest.mark.parametrize("sku", ["taken", "free", "tåken ünïcode", "x" * 50, "a'b\"c%_"])
def test_unique_probe_sends_drfs_query_and_gives_drfs_answer(product, sku):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Product.objects.create(name="Odd", sku="tåken ünïcode")
    Product.objects.create(name="Odd", sku="a'b\"c%_")
    data = {"name": "New", "sku": sku, "price": 1}
    with CaptureQueriesContext(connection) as drf_queries:
        expected = _result(ProductSerializer(data=dict(data)), lambda serializer: serializer.is_valid())
    with CaptureQueriesContext(connection) as our_queries:
        ours = ProductSerializer(data=dict(data))
        assert _result(ours, lambda serializer: _serializing._is_valid(serializer, False)) == expected
    drf_sql = [query["sql"] for query in drf_queries.captured_queries]
    our_sql = [query["sql"] for query in our_queries.captured_queries]
    if expected[0]:
        assert our_sql == drf_sql  # one query, the same
    else:
        assert our_sql == drf_sql * 2  # the probe's, then DRF's own for its error


@pytest.mark.django_db
def test_unique_probe_is_left_out_where_drf_must_ask(product):
    class OwnManagerValidator(serializers.ModelSerializer):
        sku = serializers.CharField(validators=[UniqueValidator(Product.objects.filter(price=5))])

        class Meta:
            model = Product
            fields = ["name", "sku"]

    serializer = OwnManagerValidator(data={"name": "n", "sku": "hammer"})
    _plan.prime_fields(serializer)
    plan, outcomes, _ = _validation._planned_outcomes(serializer)
    assert dict(zip([column.name for column in plan.columns], outcomes))["sku"] == ("hammer", True)
    _compare(lambda: OwnManagerValidator(data={"name": "n", "sku": "hammer"}))
    _compare(lambda: OwnManagerValidator(data={"name": "n", "sku": "taken"}))
    # An update excludes the instance: DRF's validator asks.
    _compare(lambda: ProductSerializer(product, data={"name": "n", "sku": "hammer"}, partial=True))
    _compare(lambda: ProductSerializer(product, data={"name": "n", "sku": "taken"}, partial=True))


def test_meta_validators_changed_after_first_use_are_not_seen():
    """Difference from DRF (docs/differences.md): like its fields, a class's validators are built once,
    so a Meta changed at run time is seen only after ``restflow._memo.clear_all()`` (or any settings change)."""

    class Changing(Together):
        class Meta:
            validators = []

    refuse = serializers.ValidationError("refused")

    def refusing(attrs):
        raise refuse

    assert _serializing._is_valid(Changing(data={"first": "a"}), False)
    Changing.Meta.validators = [refusing]
    assert _serializing._is_valid(Changing(data={"first": "a"}), False)
    clear_all()
    later = Changing(data={"first": "a"})
    assert not _serializing._is_valid(later, False)
    assert later.errors == {"non_field_errors": ["refused"]}
    assert Changing in _validation._validators
    with override_settings(REST_FRAMEWORK={"COERCE_DECIMAL_TO_STRING": False}):
        assert Changing not in _validation._validators and Changing not in _validation._plans
