"""FilterSet: declaration styles, every field type and lookup against the database, validation."""

import datetime
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from restflow.filters import (
    ChoiceField,
    FilterSet,
    IntegerField,
    ListField,
    OrderField,
    StringField,
)
from tests.support.filters_urls import ProductFilterSet
from tests.support.testapp.models import Category, Product, Review


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args), datetime.timezone.utc)


def make_catalog():
    """Four products in two categories; Anvil's reviews split the 'bob' and 'rating >= 4' criteria."""
    tools = Category.objects.create(name="tools")
    toys = Category.objects.create(name="toys")
    rows = [
        ("Anvil", "heavy iron block", 100, 50.0, "4.50", True, "active", tools, (2024, 1, 5), (2024, 1, 5, 10)),
        ("Ball", "bouncy", 5, 0.2, "3.00", True, "draft", toys, (2024, 2, 10), (2024, 2, 10, 23)),
        ("Crane", "toy crane", 40, 2.5, "4.90", False, "archived", toys, (2023, 12, 31), (2023, 12, 31, 8)),
        ("Drill", "cordless", 80, 1.5, "2.25", True, "active", None, None, (2024, 3, 1, 12)),
    ]
    products = {}
    for i, (name, desc, price, weight, rating, in_stock, status, cat, released, created) in enumerate(rows):
        products[name] = Product.objects.create(
            name=name, sku=f"SKU{i}", description=desc, price=price, weight=weight, rating=Decimal(rating),
            in_stock=in_stock, status=status, category=cat,
            released=datetime.date(*released) if released else None, created=aware(*created),
        )
    Review.objects.create(product=products["Anvil"], author="bob", rating=2)
    Review.objects.create(product=products["Anvil"], author="alice", rating=5)
    Review.objects.create(product=products["Ball"], author="bob", rating=4)
    return products


@pytest.fixture
def catalog(db):
    return make_catalog()


@pytest.fixture
async def closes_thread_connections():
    """Close the ORM thread's connections so the PostgreSQL test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


def names(filterset_class, query, queryset=None):
    filterset = filterset_class(data=QueryDict(query), queryset=queryset or Product.objects.all())
    return sorted(p.name for p in filterset.filter_queryset())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=Anvil", ["Anvil"]),
        ("name__iexact=anvil", ["Anvil"]),
        ("name__contains=r", ["Crane", "Drill"]),
        ("name__icontains=A", ["Anvil", "Ball", "Crane"]),
        ("name__startswith=B", ["Ball"]),
        ("name__istartswith=b", ["Ball"]),
        ("name__endswith=l", ["Anvil", "Ball", "Drill"]),
        ("name__iendswith=E", ["Crane"]),
        ("price=40", ["Crane"]),
        ("price__gt=40", ["Anvil", "Drill"]),
        ("price__gte=40", ["Anvil", "Crane", "Drill"]),
        ("price__lt=40", ["Ball"]),
        ("price__lte=40", ["Ball", "Crane"]),
        ("price__in=5,100", ["Anvil", "Ball"]),
        ("price__in=5&price__in=80", ["Ball", "Drill"]),
        ("weight=2.5", ["Crane"]),
        ("rating__gte=4.5", ["Anvil", "Crane"]),
        ("rating__lt=3", ["Drill"]),
        ("in_stock=false", ["Crane"]),
        ("in_stock=1", ["Anvil", "Ball", "Drill"]),
        ("status=draft", ["Ball"]),
        ("statuses=draft,archived", ["Ball", "Crane"]),
        ("statuses=draft&statuses=active", ["Anvil", "Ball", "Drill"]),
        ("category__isnull=true", ["Drill"]),
        ("released__year=2024", ["Anvil", "Ball"]),
        ("released__month=12", ["Crane"]),
        ("released__day=10", ["Ball"]),
        ("released__gte=2024-01-01", ["Anvil", "Ball"]),
        ("created__date=2024-02-10", ["Ball"]),
        ("created__year=2023", ["Crane"]),
        ("created__lt=2024-01-05T10:00:00Z", ["Crane"]),
        ("created__gte=2024-01-05T10:00:00%2B00:00", ["Anvil", "Ball", "Drill"]),
        ("ids=1,2,999999", ["Anvil", "Ball"]),
        ("search=CORDLESS", ["Drill"]),
        ("search=an", ["Anvil", "Crane"]),
        ("status=active&in_stock=true&price__gte=90", ["Anvil"]),
        ("unknown=1&price__regex=.*", ["Anvil", "Ball", "Crane", "Drill"]),
        ("price=&name=", ["Anvil", "Ball", "Crane", "Drill"]),
    ],
)
def test_field_types_and_lookups(catalog, query, expected):
    ids = {p.name: p.pk for p in catalog.values()}
    query = query.replace("ids=1,2", f"ids={ids['Anvil']},{ids['Ball']}")
    assert names(ProductFilterSet, query) == expected


@pytest.mark.django_db
def test_filter_by_follows_a_different_path(catalog):
    toys = Category.objects.get(name="toys")
    assert names(ProductFilterSet, f"category={toys.pk}") == ["Ball", "Crane"]
    assert names(ProductFilterSet, f"category__in={toys.pk},0") == ["Ball", "Crane"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status!=active", ["Ball", "Crane"]),
        ("price!=100", ["Ball", "Crane", "Drill"]),
        ("price__in!=5,40", ["Anvil", "Drill"]),
        ("price__gte!=80", ["Ball", "Crane"]),
        ("status!=archived&price__lt=90", ["Ball", "Drill"]),
    ],
)
def test_negation_with_trailing_bang(catalog, query, expected):
    assert names(ProductFilterSet, query) == expected


def test_every_parameter_has_its_negated_form_unless_turned_off():
    params = {param.name for param in ProductFilterSet.parameters()}
    assert {"status!", "price!", "price__gte!", "name!", "in_stock!"} <= params

    class NoNegation(FilterSet):
        name = StringField(lookups=["icontains"], allow_negate=False)
        price: int

        class Meta:
            allow_negate = False

    assert [param.name for param in NoNegation.parameters()] == ["price", "name", "name__icontains"]


@pytest.mark.django_db
def test_ordering_against_the_allow_list(catalog):
    def ordered(query):
        return [p.name for p in ProductFilterSet(QueryDict(query), Product.objects.all()).filter_queryset()]

    assert ordered("ordering=-price,name") == ["Anvil", "Drill", "Crane", "Ball"]
    assert ordered("ordering=name&ordering=-price") == ["Anvil", "Ball", "Crane", "Drill"]
    assert ordered("category__isnull=false&ordering=category,-name") == ["Anvil", "Crane", "Ball"]


def test_unknown_ordering_says_which_are_accepted():
    filterset = ProductFilterSet(QueryDict("ordering=price,-secret"))
    assert not filterset.is_valid()
    assert filterset.errors == {
        "ordering": [
            '"-secret" is not an accepted ordering. Accepted: price, name, created, category; '
            'prefix a name with "-" for descending order.'
        ]
    }


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("price=abc", {"price": ["A valid integer is required."]}),
        ("price__gte=abc", {"price__gte": ["A valid integer is required."]}),
        ("price=-1", {"price": ["Ensure this value is greater than or equal to 0."]}),
        ("price__in=1,x", {"price__in": ["A valid integer is required."]}),
        ("price!=1.5", {"price!": ["A valid integer is required."]}),
        ("weight=nan", {"weight": ["A valid number is required."]}),
        ("rating__gt=1e999999", {"rating__gt": ["Ensure that there are no more than 40 digits in total."]}),
        ("in_stock=maybe", {"in_stock": ["Must be a valid boolean."]}),
        ("status=gone", {"status": ['"gone" is not a valid choice. Accepted: draft, active, archived.']}),
        ("statuses=draft,gone", {"statuses": ['"gone" is not a valid choice. Accepted: draft, active, archived.']}),
        ("category__isnull=perhaps", {"category__isnull": ["Must be a valid boolean."]}),
        ("released__month=13", {"released__month": ["Ensure this value is less than or equal to 12."]}),
        ("created__year=0", {"created__year": ["Ensure this value is greater than or equal to 2."]}),
        ("created__date=2024-02-30", {"created__date": [
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ("created__gte=9999-12-31T23:00:00", {"created__gte": ["Date and time out of range."]}),
        ("price=99999999999999999999", {"price": ["Ensure this value is less than or equal to 9223372036854775807."]}),
        ("name=a%00b", {"name": ["Null characters are not allowed."]}),
        ("ids=" + ",".join(["1"] * 1001), {"ids": ["Ensure there are no more than 1000 values."]}),
        ("price=x&status=y&name=ok", {
            "price": ["A valid integer is required."],
            "status": ['"y" is not a valid choice. Accepted: draft, active, archived.'],
        }),
    ],
)
def test_invalid_values_name_the_parameter(query, errors):
    filterset = ProductFilterSet(QueryDict(query), Product.objects.none())
    assert not filterset.is_valid()
    assert filterset.errors == errors
    assert filterset.validated_data == {}
    with pytest.raises(ValidationError) as caught:
        filterset.filter_queryset()
    assert caught.value.detail == errors


def test_validated_data_holds_parsed_values():
    query = "price__gte=5&in_stock=no&created__date=2024-02-10&statuses=draft&ordering=-price&nothing=1"
    filterset = ProductFilterSet(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    assert filterset.validated_data == {
        "price__gte": 5,
        "in_stock": False,
        "created__date": datetime.date(2024, 2, 10),
        "statuses": ["draft"],
        "ordering": ["-price"],
    }


def test_plain_dict_data_is_accepted():
    filterset = ProductFilterSet({"price": "7", "ids": "1, 2"})
    assert filterset.validated_data == {"price": 7, "ids": [1, 2]}


class RequiredFilterSet(FilterSet):
    sku = StringField(required=True)
    price = IntegerField(lookups=["gte", "lte"], required=True)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {
            "sku": ["This query parameter is required."],
            "price": ["One of these query parameters is required: price, price__gte, price__lte."],
        }),
        ("sku=&price__lte=3", {"sku": ["This query parameter is required."]}),
        ("sku=A&price__lte=3", {}),
    ],
)
def test_required_parameters(query, errors):
    filterset = RequiredFilterSet(QueryDict(query))
    assert filterset.errors == errors
    assert filterset.is_valid() is not errors


@pytest.mark.django_db
def test_one_combined_filter_shares_the_join_on_a_multi_valued_relation(catalog):
    # Anvil has a review by bob (rating 2) and one rated 5 by alice: no single review matches both.
    query = "review_author=bob&review_rating__gte=4"
    filterset = ProductFilterSet(QueryDict(query), Product.objects.all())
    queryset = filterset.filter_queryset()
    assert str(queryset.query).count("JOIN") == 1
    assert [p.name for p in queryset] == ["Ball"]
    chained = Product.objects.filter(reviews__author="bob").filter(reviews__rating__gte=4)
    assert str(chained.query).count("JOIN") == 2  # what N separate .filter() calls would have done
    assert sorted(p.name for p in chained) == ["Anvil", "Ball"]


class MethodFilterSet(FilterSet):
    category_name = StringField(method="by_category_name")
    category_like = StringField(method="by_category_lookup")
    cheaper_than_named = StringField(method="cheaper_than")
    min_price = IntegerField(method="at_least")

    def by_category_name(self, queryset, path, value):
        return queryset.filter(category__name=value)

    def by_category_lookup(self, queryset, path, value):
        # Touches the database: under afilter_queryset this must run off the event loop.
        category = Category.objects.filter(name__icontains=value).first()
        return Q(category=category) if category else Q(pk__in=[])

    async def cheaper_than(self, queryset, path, value):
        product = await Product.objects.filter(name=value).afirst()
        return Q(price__lt=product.price) if product else Q()

    async def at_least(self, queryset, path, value):
        assert path == "min_price"
        return Q(price__gte=value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category_name=toys", ["Ball", "Crane"]),
        ("category_like=TOO", ["Anvil"]),
        ("cheaper_than_named=Drill", ["Ball", "Crane"]),
        ("min_price=50&category_like=o", ["Anvil"]),
        ("category_name=toys&cheaper_than_named=Crane", ["Ball"]),
    ],
)
def test_sync_and_async_methods_from_sync_code(catalog, query, expected):
    assert names(MethodFilterSet, query) == expected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category_name=toys", ["Ball", "Crane"]),
        ("category_like=TOO", ["Anvil"]),
        ("cheaper_than_named=Drill", ["Ball", "Crane"]),
        ("min_price=50&category_like=o&category_name=tools", ["Anvil"]),
    ],
)
async def test_afilter_queryset_awaits_async_methods_and_moves_sync_ones_off_the_loop(
    closes_thread_connections, query, expected
):
    await sync_to_async(make_catalog)()
    filterset = MethodFilterSet(QueryDict(query), Product.objects.all())
    queryset = await filterset.afilter_queryset()
    assert sorted([p.name async for p in queryset]) == expected


class BadMethodFilterSet(FilterSet):
    flag = StringField(method="returns_nothing")

    def returns_nothing(self, queryset, path, value):
        return None


def test_a_method_must_return_a_q_or_a_queryset():
    with pytest.raises(TypeError, match="The filter method of 'flag' returned NoneType"):
        BadMethodFilterSet({"flag": "x"}, Product.objects.none()).filter_queryset()


class MetaFilterSet(FilterSet):
    class Meta:
        model = Product
        fields = ["name", "price", "rating", "in_stock", "status", "category", "category_id", "released", "created"]

    name = StringField(lookups=["icontains"])  # declared fields win over generated ones


def test_meta_generates_matching_field_types():
    kinds = {name: type(field).__name__ for name, field in MetaFilterSet.base_fields.items()}
    assert kinds == {
        "name": "StringField",
        "price": "IntegerField",
        "rating": "DecimalField",
        "in_stock": "BooleanField",
        "status": "ChoiceField",
        "category": "IntegerField",
        "category_id": "IntegerField",
        "released": "DateField",
        "created": "DateTimeField",
    }
    assert {"name", "name__icontains", "name!", "name__icontains!"} <= set(MetaFilterSet._params)
    assert MetaFilterSet({"rating": "1.234"}).errors == {
        "rating": ["Ensure that there are no more than 2 decimal places."]
    }


@pytest.mark.django_db
def test_meta_generated_fields_filter(catalog):
    toys = Category.objects.get(name="toys")
    assert names(MetaFilterSet, f"category={toys.pk}&status=draft") == ["Ball"]
    assert names(MetaFilterSet, f"category_id={toys.pk}&name__icontains=RAN") == ["Crane"]
    assert names(MetaFilterSet, "rating=4.90") == ["Crane"]


class AllFieldsFilterSet(FilterSet):
    class Meta:
        model = Product
        fields = "__all__"


class LookupDictFilterSet(FilterSet):
    class Meta:
        model = Product
        fields = {"price": ["comparison"], "created": ["date"]}


def test_meta_all_and_lookup_dict():
    assert set(AllFieldsFilterSet.base_fields) == {
        "id", "name", "sku", "description", "price", "weight", "rating", "in_stock", "is_archived",
        "status", "category", "released", "created", "updated",
    }
    assert [name for name in LookupDictFilterSet._params if not name.endswith("!")] == [
        "price", "price__gt", "price__gte", "price__lt", "price__lte",
        "created", "created__date", "created__year", "created__month", "created__day", "created__week",
        "created__week_day", "created__quarter",
    ]


class AnnotatedFilterSet(FilterSet):
    name: str
    price: int
    weight: float
    rating: Decimal
    in_stock: bool
    released: datetime.date
    created: datetime.datetime


@pytest.mark.django_db
def test_annotations_declare_exact_filters(catalog):
    kinds = [type(field).__name__ for field in AnnotatedFilterSet.base_fields.values()]
    assert kinds == [
        "StringField", "IntegerField", "FloatField", "DecimalField", "BooleanField", "DateField", "DateTimeField"
    ]
    assert names(AnnotatedFilterSet, "released=2024-02-10&in_stock=true&weight=0.2&rating=3") == ["Ball"]
    assert names(AnnotatedFilterSet, "created=2024-03-01T12:00:00Z&price=80&name=Drill") == ["Drill"]


class Parent(FilterSet):
    name: str


class Child(Parent):
    price = IntegerField(lookups=["gte"])


def test_subclasses_inherit_fields():
    assert list(Child._params) == ["name", "name!", "price", "price__gte", "price!", "price__gte!"]
    assert list(Parent._params) == ["name", "name!"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: IntegerField(lookups=["regex"]), "IntegerField has no lookup 'regex'"),
        (lambda: StringField(lookups=["date"]), "StringField has no lookup 'date'"),
        (lambda: ListField(lookups=["gt"]), "ListField has no lookup 'gt'"),
        (lambda: StringField(method="m", lookups=["icontains"]), "Lookups need a base column"),
        (lambda: StringField(filter_by="name__exact", lookups=["icontains"]), "add db_field"),
        (lambda: type("F", (FilterSet,), {"q": StringField(method="nope")}), "names method 'nope'"),
        (lambda: type("F", (FilterSet,), {"__annotations__": {"tags": list}}), "Cannot filter 'tags'"),
        (lambda: type("F", (FilterSet,), {"Meta": type("Meta", (), {"model": Product, "fields": ["nope"]})}),
         "Product has no field 'nope'"),
        (lambda: type("F", (FilterSet,), {"Meta": type("Meta", (), {"model": Category, "fields": ["products"]})}),
         "No filter type for Category.products"),
    ],
)
def test_configuration_mistakes_fail_at_class_creation(build, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        build()


def test_choice_and_order_fields_accept_their_own_options():
    field = ChoiceField([("a", "A")], lookups=["basic"])
    assert [lookup for _, lookup, _ in field.lookups] == ["exact", "in", "isnull"]
    assert OrderField(["x"]).order_by(["-x", "x"]) == ["-x", "x"]
