"""restflow's serializer docs, page by page and section by section.

Pages: guide/serializers/index.md, type-annotations.md, model-serializers.md,
inline.md, validated-data.md, and the serializer part of guide/helpers.md. Each
test's name and docstring name the page and section it shows; where the docs
show a view, the test goes through a real route (tests/support/serializers_urls.py).
"""

import copy
import datetime
import decimal
import pickle
import sys
import types
import uuid
from typing import Annotated, Any, Literal, NewType, Optional

import pytest
import rest_framework
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.validators import UniqueTogetherValidator, UniqueValidator

from restflow.helpers import BlankableString, maybe_await, require_sync, run_sync
from restflow.serializers import (
    DecimalField,
    Email,
    Field,
    HyperlinkedModelSerializer,
    InlineSerializer,
    IPAddress,
    ModelSerializer,
    NotRequired,
    Serializer,
    SerializerFieldMap,
    ValidatedData,
    get_field_from_type,
)
from restflow.serializers.validated_data import transform_validated_data
from tests.support.serializersapp.models import Article, Author, Tag

pytestmark = pytest.mark.urls("tests.support.serializers_urls")
db = pytest.mark.django_db(transaction=True)


def field_of(serializer_class, name):
    return serializer_class().fields[name]


@pytest.fixture
def restore_field_map():
    saved = dict(SerializerFieldMap)
    yield
    SerializerFieldMap.clear()
    SerializerFieldMap.update(saved)


# guide/serializers/index.md


def test_index__restflow_serializers__drf_subclasses():
    """index § Restflow Serializers: a thin layer over DRF's classes; everything else unchanged from DRF."""
    assert issubclass(Serializer, serializers.Serializer)
    assert issubclass(ModelSerializer, serializers.ModelSerializer)
    assert issubclass(HyperlinkedModelSerializer, serializers.HyperlinkedModelSerializer)
    assert issubclass(HyperlinkedModelSerializer, ModelSerializer)
    assert issubclass(InlineSerializer(fields={"a": int}), Serializer)
    assert issubclass(InlineSerializer(model=Tag), ModelSerializer)


def test_index__quick_examples__serializer():
    """index § Quick examples › Serializer."""

    class UserSer(Serializer):
        name: str
        age: int
        email: Email
        role: Literal["admin", "user"]

    ser = UserSer(data={"name": "Ada", "age": 36, "email": "ada@x.test", "role": "admin"})
    ser.is_valid(raise_exception=True)
    assert ser.validated_data == {"name": "Ada", "age": 36, "email": "ada@x.test", "role": "admin"}
    assert isinstance(ser.fields["email"], serializers.EmailField)
    assert isinstance(ser.fields["role"], serializers.ChoiceField)


def test_index__quick_examples__model_serializer():
    """index § Quick examples › ModelSerializer: the annotated `extra` is merged into Meta.fields."""

    class UserSer(ModelSerializer):
        extra: str = Field(write_only=True)

        class Meta:
            model = User
            fields = ["id", "username", "email"]

    assert UserSer.Meta.fields == ["id", "username", "email", "extra"]
    fields = UserSer().fields
    assert list(fields) == ["id", "username", "email", "extra"]
    assert fields["extra"].write_only


@db
async def test_index__quick_examples__hyperlinked_model_serializer(client):
    """index § Quick examples › HyperlinkedModelSerializer: identity field `url`, rendered as a URL."""
    tag = await Tag.objects.acreate(name="news")
    response = await client.get(f"/rf/tags/{tag.pk}/")
    assert response.json() == {"url": f"http://testserver/rf/tags/{tag.pk}/", "name": "news"}


def test_index__quick_examples__inline_serializer():
    """index § Quick examples › InlineSerializer: a Serializer subclass without a model."""
    PingSer = InlineSerializer(name="PingSer", fields={"name": str, "email": Email, "score": int})
    assert PingSer.__name__ == "PingSer" and issubclass(PingSer, Serializer)
    ser = PingSer(data={"name": "a", "email": "bad", "score": "x"})
    assert not ser.is_valid()
    assert set(ser.errors) == {"email", "score"}


class AsyncUserSer(Serializer):
    username: str

    async def validate_username(self, value):
        if await User.objects.filter(username=value).aexists():
            raise serializers.ValidationError("taken")
        return value


@db
async def test_index__async_surface__table():
    """index § The async surface in depth: each async variant does what its sync twin does."""

    class Ser(Serializer):
        name: str

        def create(self, validated_data):
            return {"created": validated_data}

        def update(self, instance, validated_data):
            return {**instance, **validated_data}

    ser = Ser(data={"name": "Ada"})
    assert await ser.ais_valid() is True
    assert ser.validated_data == {"name": "Ada"}
    assert await Ser().ato_internal_value({"name": "Bo"}) == {"name": "Bo"}
    assert await Ser().arun_validation({"name": "Cy"}) == {"name": "Cy"}
    assert await Ser().ato_representation({"name": "Di"}) == {"name": "Di"}
    assert await Ser().avalidate({"a": 1}) == {"a": 1}
    assert await ser.asave() == {"created": {"name": "Ada"}}
    assert await Ser().acreate({"name": "E"}) == {"created": {"name": "E"}}
    assert await Ser().aupdate({"name": "F", "x": 1}, {"name": "G"}) == {"name": "G", "x": 1}
    with pytest.raises(ValidationError) as raised:
        await Ser(data={}).ais_valid(raise_exception=True)
    assert raised.value.detail == {"name": [serializers.ErrorDetail("This field is required.", code="required")]}


@db
async def test_index__async_surface__sync_entry_points_refuse_async_callables():
    """index § behaviour notes: sync to_internal_value/run_validation/save raise TypeError naming the async variant."""

    class AsyncValidate(Serializer):
        name: str

        async def validate(self, attrs):
            return attrs

    class AsyncCreate(Serializer):
        name: str

        async def create(self, validated_data):
            return validated_data

    class AsyncUpdate(Serializer):
        name: str

        async def update(self, instance, validated_data):
            return validated_data

    with pytest.raises(TypeError, match="validate_username is async.*ais_valid"):
        AsyncUserSer(data={"username": "x"}).is_valid()
    with pytest.raises(TypeError, match="validate_username is async"):
        AsyncUserSer().to_internal_value({"username": "x"})
    with pytest.raises(TypeError, match=r"validate is async, so run_validation\(\)"):
        AsyncValidate(data={"name": "x"}).is_valid()
    ser = AsyncCreate(data={"name": "x"})
    ser.is_valid(raise_exception=True)
    with pytest.raises(TypeError, match=r"create is async, so save\(\).*asave"):
        ser.save()
    ser = AsyncUpdate({"name": "a"}, data={"name": "x"})
    ser.is_valid(raise_exception=True)
    with pytest.raises(TypeError, match=r"update is async, so save\(\).*asave"):
        ser.save()
    # ...and the async entry points await them.
    assert await AsyncValidate(data={"name": "x"}).ais_valid()
    ser = AsyncCreate(data={"name": "x"})
    await ser.ais_valid(raise_exception=True)
    assert await ser.asave() == {"name": "x"}
    ser = AsyncUpdate({"name": "a"}, data={"name": "y"})
    await ser.ais_valid(raise_exception=True)
    assert await ser.asave() == {"name": "y"}


@db
async def test_index__async_surface__asave_falls_back_to_sync_create_and_update():
    """index § behaviour notes: asave falls back to the sync create/update (here, in one hop, never on the loop)."""

    class TagSer(ModelSerializer):
        class Meta:
            model = Tag
            fields = ["id", "name"]

        def create(self, validated_data):
            validated_data["name"] = validated_data["name"].upper()
            return super().create(validated_data)  # sync ORM: would raise on the loop

    ser = TagSer(data={"name": "news"})
    await ser.ais_valid(raise_exception=True)
    tag = await ser.asave()
    assert tag.name == "NEWS" and await Tag.objects.filter(name="NEWS").aexists()
    update = TagSer(tag, data={"name": "old"}, partial=True)
    await update.ais_valid(raise_exception=True)
    await update.asave()
    assert (await Tag.objects.aget(pk=tag.pk)).name == "old"


async def test_index__async_surface__acreate_without_create_raises_not_implemented():
    """index § behaviour notes: acreate and aupdate raise NotImplementedError by default, as DRF's create/update."""

    class Plain(Serializer):
        name: str

    with pytest.raises(NotImplementedError):
        await Plain().acreate({"name": "x"})
    with pytest.raises(NotImplementedError):
        await Plain().aupdate({}, {"name": "x"})


async def test_index__async_surface__ato_representation_awaits_async_override():
    """index § behaviour notes: ato_representation (and adata) await an async to_representation; `.data` refuses it."""

    class Shout(Serializer):
        name: str

        async def to_representation(self, instance):
            return {"name": instance["name"].upper()}

    assert await Shout().ato_representation({"name": "ada"}) == {"name": "ADA"}
    assert await Shout({"name": "bo"}).adata() == {"name": "BO"}
    with pytest.raises(TypeError, match="to_representation is async.*adata"):
        Shout({"name": "bo"}).data


@db
async def test_index__sync_vs_async_semantics():
    """index § Sync vs async semantics: an async validate_username queries with aexists under ais_valid; is_valid refuses."""
    await User.objects.acreate(username="ada")
    with pytest.raises(TypeError):
        AsyncUserSer(data={"username": "ada"}).is_valid()
    taken = AsyncUserSer(data={"username": "ada"})
    assert await taken.ais_valid() is False
    assert taken.errors == {"username": ["taken"]}
    free = AsyncUserSer(data={"username": "bo"})
    assert await free.ais_valid() is True
    assert free.validated_data.username == "bo"


def test_index__field_generation_priority():
    """index § Field generation priority: explicit > annotation > inherited."""

    class BaseSer(Serializer):
        name: str
        code: str

    class UserSer(BaseSer):
        name = serializers.CharField(max_length=200)
        code: str = Field(max_length=10)
        email: str

    fields = UserSer().fields
    assert list(fields) == ["name", "code", "email"]
    assert fields["name"].max_length == 200
    assert fields["code"].max_length == 10
    assert BaseSer().fields["code"].max_length is None
    assert isinstance(fields["email"], serializers.CharField)


@pytest.mark.parametrize("name", ["data", "errors", "validated_data", "instance", "initial_data", "fields", "context"])
def test_index__reserved_attribute_names(name):
    """index § Reserved attribute names: annotating one raises ValueError at class creation."""
    with pytest.raises(ValueError, match=f"`{name}` collides"):
        type("Bad", (Serializer,), {"__annotations__": {name: str}, "__module__": __name__})


def test_index__default_values():
    """index § Default values: Field(default=...), Field(required=False), Optional; a plain value is the default (see docs/serializers.md)."""

    class UserSer(Serializer):
        name: str = Field(default="anonymous")
        role: str = Field(default="user", required=False)
        nickname: str = Field(required=False)
        bio: str | None
        plain: str = "fallback"

    ser = UserSer(data={})
    assert ser.is_valid(), ser.errors
    assert ser.validated_data == {"name": "anonymous", "role": "user", "plain": "fallback"}
    assert UserSer().fields["bio"].allow_null and not UserSer().fields["bio"].required


def test_index__field_sentinel():
    """index § Field sentinel: kwargs layered onto the resolved field."""

    class UserSer(Serializer):
        name: str = Field(max_length=100, help_text="display name")
        email: Email = Field(write_only=True)
        age: int = Field(min_value=0, max_value=150, required=False)

    fields = UserSer().fields
    assert fields["name"].max_length == 100 and fields["name"].help_text == "display name"
    assert isinstance(fields["email"], serializers.EmailField) and fields["email"].write_only
    assert fields["age"].min_value == 0 and fields["age"].max_value == 150 and not fields["age"].required
    assert UserSer({"name": "a", "email": "e@x.io", "age": 3}).data == {"name": "a", "age": 3}


def test_index__email_and_ipaddress_aliases():
    """index § Email and IPAddress aliases: EmailField and IPAddressField; values stay plain strings."""

    class ContactSer(Serializer):
        email: Email
        server_ip: IPAddress

    ser = ContactSer(data={"email": "a@b.io", "server_ip": "::1"})
    assert ser.is_valid()
    assert type(ser.validated_data["email"]) is str
    bad = ContactSer(data={"email": "nope", "server_ip": "1.2.3"})
    assert not bad.is_valid() and set(bad.errors) == {"email", "server_ip"}


@db
async def test_index__validators_and_validate_hooks():
    """index § Validators and validate hooks: a UniqueValidator through Field(validators=...), a sync validate_<name>."""

    class UserSer(ModelSerializer):
        username: str = Field(validators=[UniqueValidator(queryset=User.objects.all())])

        class Meta:
            model = User
            fields = ["username"]

        def validate_username(self, value):
            if value.startswith("_"):
                raise serializers.ValidationError("Cannot start with underscore.")
            return value

    await User.objects.acreate(username="ada")
    taken = UserSer(data={"username": "ada"})
    assert await taken.ais_valid() is False  # the validator queries: validation ran in one hop
    assert taken.errors == {"username": ["This field must be unique."]}
    hidden = UserSer(data={"username": "_x"})
    assert await hidden.ais_valid() is False
    assert hidden.errors == {"username": ["Cannot start with underscore."]}


async def test_index__top_level_validate():
    """index § Top-level validate: sync validate under is_valid and ais_valid; avalidate under ais_valid."""

    class PasswordSer(Serializer):
        password: str
        password_again: str

        def validate(self, attrs):
            if attrs["password"] != attrs["password_again"]:
                raise serializers.ValidationError({"password_again": "Mismatch."})
            return attrs

    class AsyncPasswordSer(Serializer):
        password: str
        password_again: str

        async def avalidate(self, attrs):
            if attrs["password"] != attrs["password_again"]:
                raise serializers.ValidationError({"password_again": "Mismatch."})
            return attrs

    bad = {"password": "a", "password_again": "b"}
    for ser in (PasswordSer(data=bad), AsyncPasswordSer(data=bad)):
        assert await ser.ais_valid() is False
        assert ser.errors == {"password_again": ["Mismatch."]}
    sync = PasswordSer(data=bad)
    assert sync.is_valid() is False and sync.errors == {"password_again": ["Mismatch."]}
    with pytest.raises(TypeError, match="avalidate is async"):
        AsyncPasswordSer(data=bad).is_valid()
    assert await AsyncPasswordSer(data={"password": "a", "password_again": "a"}).ais_valid()


@db
async def test_index__create_update_save():
    """index § create, update, save: asave awaits acreate/aupdate overrides."""

    class UserSer(ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email"]

        async def acreate(self, validated_data):
            return await User.objects.acreate(**validated_data)

        async def aupdate(self, instance, validated_data):
            for key, value in validated_data.items():
                setattr(instance, key, value)
            await instance.asave()
            return instance

    ser = UserSer(data={"username": "ada", "email": "ada@x.io"})
    await ser.ais_valid(raise_exception=True)
    user = await ser.asave()
    assert user.pk and (await User.objects.aget(pk=user.pk)).email == "ada@x.io"
    ser = UserSer(user, data={"email": "new@x.io"}, partial=True)
    await ser.ais_valid(raise_exception=True)
    await ser.asave()
    assert (await User.objects.aget(pk=user.pk)).email == "new@x.io"
    assert (await UserSer(user).adata())["email"] == "new@x.io"
    again = UserSer(data={"username": "bo"})
    await again.ais_valid(raise_exception=True)
    with pytest.raises(TypeError, match=r"acreate is async, so save\(\)"):
        again.save()


# guide/serializers/type-annotations.md


def test_types__annotation_field_mapping():
    """type-annotations § Annotation Field Mapping: each type of the table gives its DRF field."""
    table = {
        int: serializers.IntegerField, float: serializers.FloatField, str: serializers.CharField,
        bool: serializers.BooleanField, bytes: serializers.CharField, datetime.datetime: serializers.DateTimeField,
        datetime.date: serializers.DateField, datetime.time: serializers.TimeField,
        datetime.timedelta: serializers.DurationField, decimal.Decimal: DecimalField, uuid.UUID: serializers.UUIDField,
        Email: serializers.EmailField, IPAddress: serializers.IPAddressField, dict: serializers.DictField,
        Any: serializers.JSONField,
    }
    for annotation, field_class in table.items():
        assert type(get_field_from_type(annotation)) is field_class, annotation
        assert SerializerFieldMap[annotation] is field_class

    class EverythingSer(Serializer):
        name: str
        age: int
        balance: decimal.Decimal
        payload: Any

    assert [type(f) for f in EverythingSer().fields.values()] == [
        serializers.CharField, serializers.IntegerField, DecimalField, serializers.JSONField,
    ]


def test_types__optional_and_union_types():
    """type-annotations § Optional and union types: allow_null + not required; other unions fail; Field wins."""

    class ProfileSer(Serializer):
        bio: str | None
        age: Optional[int]  # noqa: UP045 - the documented spelling

    for name in ("bio", "age"):
        field = field_of(ProfileSer, name)
        assert field.allow_null and not field.required
    with pytest.raises(AssertionError, match="int | str"):

        class Bad(Serializer):
            value: int | str

    class StrictOptional(Serializer):
        bio: str | None = Field(required=True)

    field = field_of(StrictOptional, "bio")
    assert field.required and field.allow_null


def test_types__notrequired():
    """type-annotations § NotRequired: optional key, not nullable; NotRequired[T | None] nullable; Field(required=True) wins."""

    class SignupSer(Serializer):
        email: str
        nickname: NotRequired[str]
        referral: NotRequired[str | None]

    ser = SignupSer(data={"email": "e"})
    assert ser.is_valid() and ser.validated_data == {"email": "e"}
    null = SignupSer(data={"email": "e", "nickname": None, "referral": None})
    assert not null.is_valid() and list(null.errors) == ["nickname"]

    class Override(Serializer):
        name: NotRequired[str] = Field(required=True)

    assert field_of(Override, "name").required


def test_types__literal():
    """type-annotations § Literal (ChoiceField): the literal values are the choices (labels = values)."""

    class UserSer(Serializer):
        role: Literal["admin", "editor", "viewer"]
        tier: Literal[1, 2, 3]

    role = field_of(UserSer, "role")
    assert isinstance(role, serializers.ChoiceField)
    assert dict(role.choices) == {"admin": "admin", "editor": "editor", "viewer": "viewer"}
    ser = UserSer(data={"role": "root", "tier": 2})
    assert not ser.is_valid() and ser.errors == {"role": ['"root" is not a valid choice.']}

    class LabelledSer(Serializer):
        role: Literal["admin", "viewer"] = Field(choices=[("admin", "Administrator"), ("viewer", "Viewer")])

    assert dict(field_of(LabelledSer, "role").choices) == {"admin": "Administrator", "viewer": "Viewer"}

    class WeirdSer(Serializer):
        flag: Literal[True, "yes"]

    assert WeirdSer(data={"flag": "yes"}).is_valid()


def test_types__list():
    """type-annotations § list[T] (ListField): child from T; list of a serializer is that serializer with many=True."""

    class AddressSer(Serializer):
        street: str
        city: str

    class TagSer(Serializer):
        names: list[str]
        counts: list[int]
        matrix: list[list[int]]
        levels: list[Literal["a", "b"]]
        maybe: list[int | None]
        addresses: list[AddressSer]

    fields = TagSer().fields
    assert isinstance(fields["names"].child, serializers.CharField)
    assert isinstance(fields["matrix"].child.child, serializers.IntegerField)
    assert isinstance(fields["levels"].child, serializers.ChoiceField)
    assert fields["maybe"].child.allow_null and not fields["maybe"].child.required
    assert isinstance(fields["addresses"], serializers.ListSerializer)
    assert isinstance(fields["addresses"].child, AddressSer)


def test_types__bare_list():
    """type-annotations § Bare list: a string child, as DRF's ListField default... with a CharField child."""

    class TagSer(Serializer):
        names: list

    assert isinstance(field_of(TagSer, "names").child, serializers.CharField)


def test_types__annotated():
    """type-annotations § Annotated: the metadata is stripped."""

    class UserSer(Serializer):
        age: Annotated[int, "in years"]

    assert type(field_of(UserSer, "age")) is serializers.IntegerField


def test_types__nested_serializers():
    """type-annotations § Nested serializers: a serializer annotation nests; Field kwargs reach its constructor."""

    class AddressSer(Serializer):
        street: str
        city: str
        zip: str

    class UserSer(Serializer):
        name: str
        address: AddressSer
        previous_addresses: list[AddressSer]
        other: AddressSer = Field(allow_null=True, required=False)

    ser = UserSer(data={"name": "a", "address": {"street": "s"}, "previous_addresses": [{}]})
    assert not ser.is_valid()
    assert ser.errors["address"] == {"city": ["This field is required."], "zip": ["This field is required."]}
    assert len(ser.errors["previous_addresses"]) == 1
    other = field_of(UserSer, "other")
    assert isinstance(other, AddressSer) and other.allow_null and not other.required


def test_types__the_field_sentinel():
    """type-annotations § The Field sentinel: recursive through Optional; a bare Field() without annotation fails loudly."""

    class UserSer(Serializer):
        contact: Optional[Email] = Field(write_only=True)  # noqa: UP045

    field = field_of(UserSer, "contact")
    assert isinstance(field, serializers.EmailField)
    assert field.allow_null and not field.required and field.write_only
    with pytest.raises(TypeError, match="has no annotation"):

        class Bare(Serializer):
            name = Field(max_length=3)


def test_types__aliases_and_newtype_registration(restore_field_map):
    """type-annotations § Email and IPAddress aliases: a project NewType registered in SerializerFieldMap."""
    PhoneNumber = NewType("PhoneNumber", str)

    class PhoneNumberField(serializers.CharField):
        pass

    SerializerFieldMap[PhoneNumber] = PhoneNumberField

    class ContactSer(Serializer):
        phone: PhoneNumber

    assert type(field_of(ContactSer, "phone")) is PhoneNumberField


def test_types__default_values():
    """type-annotations § Default values: default fills validated_data; initial only shows in the browsable form."""

    class UserSer(Serializer):
        name: str = Field(default="anonymous")
        shown: str = Field(initial="hint", required=False)

    ser = UserSer(data={})
    assert ser.is_valid() and ser.validated_data == {"name": "anonymous"}
    assert field_of(UserSer, "shown").initial == "hint"


def test_types__decimalfield_defaults(restore_field_map):
    """type-annotations § DecimalField defaults: 20 digits, 6 places; subclass and register; per-field Field()."""

    class WalletSer(Serializer):
        balance: decimal.Decimal

    field = field_of(WalletSer, "balance")
    assert (field.max_digits, field.decimal_places) == (20, 6)

    class InvoiceSer(Serializer):
        total: decimal.Decimal = Field(max_digits=12, decimal_places=2)

    assert (field_of(InvoiceSer, "total").max_digits, field_of(InvoiceSer, "total").decimal_places) == (12, 2)

    class MoneyField(DecimalField):
        def __init__(self, **kwargs):
            kwargs.setdefault("max_digits", 12)
            kwargs.setdefault("decimal_places", 2)
            super().__init__(**kwargs)

    SerializerFieldMap[decimal.Decimal] = MoneyField

    class PriceSer(Serializer):
        price: decimal.Decimal

    field = field_of(PriceSer, "price")
    assert type(field) is MoneyField and (field.max_digits, field.decimal_places) == (12, 2)


@pytest.mark.parametrize("annotation", [set[int], tuple[int, str], int | str, type("Custom", (), {})], ids=str)
def test_types__unsupported_annotations(annotation):
    """type-annotations § Unsupported annotations: AssertionError at class creation naming the type."""
    with pytest.raises(AssertionError, match="not a supported annotation"):
        type("Bad", (Serializer,), {"__annotations__": {"value": annotation}, "__module__": __name__})


def test_types__custom_types(restore_field_map):
    """type-annotations § Custom types: extend SerializerFieldMap, or declare the field explicitly (it wins)."""

    class ColorField(serializers.CharField):
        pass

    class Color(str):
        pass

    SerializerFieldMap[Color] = ColorField

    class PaintSer(Serializer):
        primary: Color

    class ExplicitPaintSer(Serializer):
        primary: Color
        primary = ColorField(default="white")  # noqa: PIE794

    assert type(field_of(PaintSer, "primary")) is ColorField
    assert field_of(ExplicitPaintSer, "primary").default == "white"


def test_types__string_annotations():
    """Annotations written as strings (``from __future__ import annotations``) resolve in the class's module."""
    module = types.ModuleType("tests._string_annotations")
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    exec(
        "from __future__ import annotations\n"
        "import datetime\n"
        "from restflow.serializers import Serializer, NotRequired\n"
        "class Ser(Serializer):\n"
        "    when: datetime.date\n"
        "    note: NotRequired[str | None]\n",
        namespace,
    )
    fields = namespace["Ser"]().fields
    assert type(fields["when"]) is serializers.DateField
    assert fields["note"].allow_null and not fields["note"].required


# guide/serializers/model-serializers.md


def test_models__modelserializer():
    """model-serializers § ModelSerializer: Meta.model and Meta.fields generate DRF's fields; annotations layer on top."""

    class UserSer(ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email", "date_joined"]

    class DRFUserSer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email", "date_joined"]

    assert repr(UserSer()).replace("UserSer", "X") == repr(DRFUserSer()).replace("DRFUserSer", "X")

    class RoleUserSer(ModelSerializer):
        role: Literal["admin", "editor", "viewer"]
        extra: str = Field(write_only=True, required=False)

        class Meta:
            model = User
            fields = ["id", "username", "email"]

    fields = RoleUserSer().fields
    assert list(fields) == ["id", "username", "email", "role", "extra"]
    assert isinstance(fields["role"], serializers.ChoiceField)


def test_models__auto_merging_annotations_into_meta_fields():
    """model-serializers § Auto-merging annotations into Meta.fields (list stays list, tuple stays tuple; a parent's Meta is untouched)."""

    class UserSer(ModelSerializer):
        extra: str = Field(write_only=True)

        class Meta:
            model = User
            fields = ["id", "username"]

    assert UserSer.Meta.fields == ["id", "username", "extra"]

    class TupleSer(ModelSerializer):
        extra: str

        class Meta:
            model = User
            fields = ("id",)

    assert TupleSer.Meta.fields == ("id", "extra")

    class Child(UserSer):
        more: int

    assert Child.Meta.fields == ["id", "username", "extra", "more"]
    assert UserSer.Meta.fields == ["id", "username", "extra"]


def test_models__meta_options():
    """model-serializers § Meta options: read_only_fields and extra_kwargs, on generated and annotated fields."""

    class UserSer(ModelSerializer):
        nickname: str = Field(required=False)
        badge: str

        class Meta:
            model = User
            fields = ["id", "username", "email", "date_joined"]
            read_only_fields = ["id", "date_joined", "badge"]
            extra_kwargs = {
                "email": {"required": True},
                "username": {"min_length": 3, "max_length": 30},
                "nickname": {"max_length": 5, "required": True},
            }

    fields = UserSer().fields
    assert fields["id"].read_only and fields["date_joined"].read_only and fields["badge"].read_only
    assert fields["email"].required
    assert (fields["username"].min_length, fields["username"].max_length) == (3, 30)
    assert fields["nickname"].max_length == 5
    assert not fields["nickname"].required  # the Field sentinel's own setting applies on top


@db
async def test_models__meta_validators_and_depth():
    """model-serializers § Meta options: depth nests related objects; class-level validators run (DRF's unique_together)."""

    class ArticleSer(ModelSerializer):
        class Meta:
            model = Article
            fields = ["id", "title", "author"]
            depth = 1

    author = await Author.objects.acreate(name="Ada")
    article = await Article.objects.acreate(title="T", author=author)
    data = await ArticleSer(await Article.objects.select_related("author").aget(pk=article.pk)).adata()
    assert data["author"] == {"id": author.pk, "name": "Ada", "email": ""}

    class UniqueSer(ModelSerializer):
        title: str

        class Meta:
            model = Article
            fields = ["title", "author"]
            validators = [UniqueTogetherValidator(queryset=Article.objects.all(), fields=["author", "title"])]

    ser = UniqueSer(data={"title": "T", "author": author.pk})
    assert await ser.ais_valid() is False
    assert ser.errors == {"non_field_errors": ["The fields author, title must make a unique set."]}


@db
async def test_models__hyperlinkedmodelserializer(client):
    """model-serializers § HyperlinkedModelSerializer: a create through the route answers the url identity field."""
    response = await client.post("/rf/tags/", {"name": "fresh"}, format="json")
    assert response.status_code == 201
    tag = await Tag.objects.aget(name="fresh")
    assert response.json() == {"url": f"http://testserver/rf/tags/{tag.pk}/", "name": "fresh"}
    assert response["Location"] == f"http://testserver/rf/tags/{tag.pk}/"


@db
async def test_models__source_attributes():
    """model-serializers § Source attributes: source= on declared and annotated fields."""

    class UserSer(ModelSerializer):
        full_name: str = Field(source="get_full_name", read_only=True)
        login = serializers.CharField(source="username", read_only=True)

        class Meta:
            model = User
            fields = ["id", "username", "login"]

    user = await User.objects.acreate(username="ada", first_name="Ada", last_name="Lovelace")
    assert await UserSer(user).adata() == {"id": user.pk, "username": "ada", "login": "ada", "full_name": "Ada Lovelace"}


async def test_models__validation_order():
    """model-serializers § Validation: field validators, validate_<name>, then DRF's order: Meta.validators before validate."""
    calls = []

    def record(name):
        def validator(value, *args):
            calls.append(name)

        return validator

    class Ser(ModelSerializer):
        title: str = Field(validators=[record("field")])

        class Meta:
            model = Tag
            fields = ["title"]
            validators = [record("meta")]

        def validate_title(self, value):
            calls.append("validate_title")
            return value

        def validate(self, attrs):
            calls.append("validate")
            return attrs

    class DRFSer(serializers.Serializer):
        title = serializers.CharField(validators=[record("field")])

        class Meta:
            validators = [record("meta")]

        validate_title = Ser.validate_title
        validate = Ser.validate

    assert await Ser(data={"title": "x"}).ais_valid()
    ours, calls[:] = list(calls), []
    assert DRFSer(data={"title": "x"}).is_valid()
    assert ours == calls == ["field", "validate_title", "meta", "validate"]


@db
async def test_models__async_validate_name():
    """model-serializers § validate_<name>: the async hook is awaited by ais_valid; is_valid refuses it."""

    class UserSer(ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email"]

        async def validate_username(self, value):
            if await User.objects.filter(username=value).aexists():
                raise ValidationError("Already taken.")
            return value

    await User.objects.acreate(username="ada")
    ser = UserSer(data={"username": "ada"})
    assert await ser.ais_valid() is False
    # DRF's own unique validator on username and the hook: the field's validators run first, as in DRF.
    assert ser.errors == {"username": ["A user with that username already exists."]}
    ser = UserSer(data={"username": "bo"})
    assert await ser.ais_valid() is True
    with pytest.raises(TypeError):
        await sync_to_async(UserSer(data={"username": "cy"}).is_valid)()


@db
async def test_models__async_create_and_update_defaults():
    """model-serializers § Async create and update: ModelSerializer's asave creates and updates with no override."""

    class UserSer(ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email"]

    ser = UserSer(data={"username": "alice", "email": "alice@example.com"})
    await ser.ais_valid(raise_exception=True)
    user = await ser.asave()
    assert (await User.objects.aget(username="alice")).pk == user.pk
    ser = UserSer(user, data={"email": "a@x.io"}, partial=True)
    await ser.ais_valid(raise_exception=True)
    assert (await ser.asave()).email == "a@x.io"
    assert (await User.objects.aget(pk=user.pk)).email == "a@x.io"


@db
async def test_models__async_create_override_through_a_view(client):
    """model-serializers § Async create and update: an acreate override reading context["request"], through a route."""
    author = await Author.objects.acreate(name="Ada")
    response = await client.post("/docs/owned-articles/", {"title": "Mine"}, format="json", headers={"X-Author": "Ada"})
    assert response.status_code == 201, response.json()
    article = await Article.objects.aget(title="Mine")
    assert response.json() == {"id": article.pk, "title": "Mine", "author": author.pk}
    assert article.author_id == author.pk
    invalid = await client.post("/docs/owned-articles/", {}, format="json", headers={"X-Author": "Ada"})
    assert invalid.status_code == 400 and invalid.json() == {"title": ["This field is required."]}


async def test_models__read_only_model_serialization():
    """model-serializers § Read-only model serialization: read_only_fields = fields."""

    class UserListSer(ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "date_joined"]
            read_only_fields = fields

    assert all(field.read_only for field in UserListSer().fields.values())
    ser = UserListSer(data={"username": "x"})
    assert await ser.ais_valid() and ser.validated_data == {}


# guide/serializers/inline.md


def test_inline__returns_a_class():
    """inline § InlineSerializer returns a class, not an instance."""
    PingSer = InlineSerializer(name="PingSer", fields={"name": str})
    assert isinstance(PingSer, type) and PingSer.__bases__ == (Serializer,)
    assert PingSer.__module__ == __name__
    ser = PingSer(data={"name": "Ada"})
    ser.is_valid(raise_exception=True)


def test_inline__signature_and_neither_argument():
    """inline § Signature: model or fields is needed (ValueError); the options need a model (a loud TypeError)."""
    with pytest.raises(ValueError, match="needs `fields`, `model`"):
        InlineSerializer()
    with pytest.raises(TypeError, match="apply with `model`"):
        InlineSerializer(fields={"name": str}, read_only_fields=["name"])


def test_inline__plain_serializer_mode():
    """inline § Plain serializer mode: types and DRF field instances."""
    PingSer = InlineSerializer(
        name="PingSer",
        fields={"name": serializers.CharField(max_length=100), "score": serializers.IntegerField(min_value=0)},
    )
    ser = PingSer(data={"name": "x" * 101, "score": -1})
    assert not ser.is_valid() and set(ser.errors) == {"name", "score"}


def test_inline__model_serializer_mode():
    """inline § Model serializer mode: Meta.fields from model_fields, else fields' names, else "__all__"."""
    UserSer = InlineSerializer(model=User, model_fields=["id", "username", "email"])
    assert UserSer.__name__ == "UserSerializer" and UserSer.Meta.fields == ["id", "username", "email"]
    assert InlineSerializer(model=User, fields={"extra": str}).Meta.fields == ["extra"]
    both = InlineSerializer(model=User, fields={"extra": str}, model_fields=["id", "username", "extra"])
    assert both.Meta.fields == ["id", "username", "extra"]
    assert list(both().fields) == ["id", "username", "extra"]
    assert InlineSerializer(model=Tag).Meta.fields == "__all__"
    assert list(InlineSerializer(model=Tag)().fields) == ["id", "name"]


def test_inline__field_values_and_nesting():
    """inline § Field values: types resolve as annotations; DRF instances are used as given; nested classes and list[...]."""
    Item = InlineSerializer(name="Item", fields={"sku": str})
    PingSer = InlineSerializer(
        name="PingSer",
        fields={"name": str, "email": Email, "tags": list[int], "color": serializers.CharField(max_length=7),
                "item": Item, "items": list[Item]},
    )
    fields = PingSer().fields
    assert type(fields["email"]) is serializers.EmailField
    assert type(fields["tags"].child) is serializers.IntegerField
    assert fields["color"].max_length == 7
    assert isinstance(fields["item"], Item) and isinstance(fields["items"].child, Item)


def test_inline__read_only_and_write_only_fields():
    """inline § read_only_fields and write_only_fields: equivalent to extra_kwargs; explicit extra_kwargs win."""
    UserSer = InlineSerializer(
        model=User,
        model_fields=["id", "username", "email", "password"],
        read_only_fields=["id"],
        write_only_fields=["password"],
        extra_kwargs={"password": {"write_only": False, "required": False}},
    )
    fields = UserSer().fields
    assert fields["id"].read_only
    assert not fields["password"].write_only and not fields["password"].required


def test_inline__naming():
    """inline § Naming: "<Model>Serializer" or "_Serializer"."""
    assert InlineSerializer(fields={"a": int}).__name__ == "_Serializer"
    assert InlineSerializer(model=Tag).__name__ == "TagSerializer"


def test_inline__examples():
    """inline § Examples: nested with (many=True), quick model variants, mixed model and ad-hoc fields."""

    class OrderSer(Serializer):
        order_id: str
        items = InlineSerializer(name="OrderItem", fields={"sku": str, "quantity": int, "price": float})(many=True)

    ser = OrderSer(data={"order_id": "o1", "items": [{"sku": "a", "quantity": 1, "price": 2.5}]})
    assert ser.is_valid(), ser.errors
    assert list(OrderSer().fields) == ["order_id", "items"]
    assert callable(ser.validated_data.items)  # a dict method keeps its name...
    assert ser.validated_data["items"][0].sku == "a"  # ...and the value is read by key

    UserSer = InlineSerializer(
        model=User, model_fields=["id", "username", "extra"], fields={"extra": str},
        extra_kwargs={"extra": {"required": False}},
    )
    assert not UserSer().fields["extra"].required


def test_inline__schema_only_payloads():
    """inline § Schema-only payloads: drf-spectacular names the component after `name`."""
    from django.urls import path
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.utils import extend_schema
    from rest_framework.views import APIView

    class Health(APIView):
        @extend_schema(
            responses=InlineSerializer(name="HealthCheckResponse", fields={"status": str, "uptime_seconds": int}),
        )
        def get(self, request):
            pass

    schema = SchemaGenerator(patterns=[path("health/", Health.as_view())]).get_schema(request=None, public=True)
    component = schema["components"]["schemas"]["HealthCheckResponse"]
    assert component["properties"] == {"status": {"type": "string"}, "uptime_seconds": {"type": "integer"}}
    assert component["required"] == ["status", "uptime_seconds"]


@db
async def test_inline__caveats():
    """inline § Caveats: a fresh Meta per call; the async surface is there."""
    first, second = InlineSerializer(model=Tag), InlineSerializer(model=Tag)
    first.Meta.fields = ["name"]
    assert second.Meta.fields == "__all__"
    ser = second(data={"name": "inline"})
    assert await ser.ais_valid()
    tag = await ser.asave()
    assert await Tag.objects.filter(pk=tag.pk).aexists()


# guide/serializers/validated-data.md


def test_validated_data__reading_and_writing():
    """validated-data § Reading and writing: a dict with attribute access; writes go through; del raises by kind."""

    class ProductSerializer(Serializer):
        name: str
        price: decimal.Decimal

    serializer = ProductSerializer(data={"name": "Lamp", "price": "9.50"})
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    assert isinstance(data, ValidatedData) and isinstance(data, dict)
    assert data.name == data["name"] == data.get("name") == "Lamp"
    assert {**data} == dict(data) == {"name": "Lamp", "price": decimal.Decimal("9.50")}
    data.discount = decimal.Decimal("0.10")
    assert data["discount"] == decimal.Decimal("0.10")
    del data.discount
    assert "discount" not in data
    with pytest.raises(AttributeError):
        del data.missing
    with pytest.raises(KeyError):
        del data["missing"]
    with pytest.raises(AttributeError):
        data.missing


@db
@pytest.mark.skipif(
    tuple(int(part) for part in rest_framework.VERSION.split(".")[:2]) < (3, 17),
    reason="DRF 3.16 reports a nested list's errors as a list, not keyed by position",
)
async def test_validated_data__nested_payloads(client):
    """validated-data § Nested payloads and § When to reach for it: attribute access through nested dicts and lists, in a view."""
    response = await client.post(
        "/docs/orders/",
        {"customer": {"email": "a@x.io"}, "items": [{"sku": "s1", "quantity": 2}], "total": "3.5"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {"customer": "a@x.io", "first_sku": "s1", "total": "3.500000"}
    bad = await client.post("/docs/orders/", {"customer": {}, "items": [{"quantity": 0}]}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {
        "customer": {"email": ["This field is required."]},
        "items": {"0": {"sku": ["This field is required."], "quantity": ["Ensure this value is greater than or equal to 1."]}},
        "total": ["This field is required."],
    }
    existing = ValidatedData(a=1)
    tree = transform_validated_data({"x": existing, "y": [{"z": 1}]})
    assert tree.x is existing and tree.y[0].z == 1


def test_validated_data__json_output():
    """validated-data § JSON output: to_json with the Decimal/date/time/UUID fallback, json.dumps options, a default of your own first."""
    token = uuid.UUID("12345678-1234-5678-1234-567812345678")
    data = ValidatedData(
        price=decimal.Decimal("1.50"), when=datetime.datetime(2026, 1, 2, 3, 4, 5), day=datetime.date(2026, 1, 2),
        at=datetime.time(9, 30), token=token, nested=ValidatedData(a=1),
    )
    assert data.to_json(sort_keys=True) == (
        '{"at": "09:30:00", "day": "2026-01-02", "nested": {"a": 1}, "price": "1.50", '
        '"token": "12345678-1234-5678-1234-567812345678", "when": "2026-01-02T03:04:05"}'
    )
    assert ValidatedData(a=1).to_json(indent=2) == '{\n  "a": 1\n}'
    assert ValidatedData(price=decimal.Decimal("1.5")).to_json(default=float) == '{"price": 1.5}'
    assert ValidatedData(token=token).to_json(default=float) == '{"token": "12345678-1234-5678-1234-567812345678"}'
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        ValidatedData(x=object()).to_json()
    plain = data.__json__()
    assert type(plain) is dict and plain == data


def test_validated_data__pickling():
    """validated-data § Pickling: pickle and deepcopy give ValidatedData back."""
    data = transform_validated_data({"a": {"b": [1, {"c": 2}]}})
    for copied in (pickle.loads(pickle.dumps(data)), copy.deepcopy(data)):
        assert type(copied) is ValidatedData and copied == data
        assert copied.a.b[1].c == 2


# guide/helpers.md (the serializer part, and the bridges beside it)


def test_helpers__type_aliases():
    """helpers § Type aliases: Email, IPAddress, BlankableString (allow_blank) from restflow.helpers."""
    from restflow import helpers

    assert helpers.Email is Email and helpers.IPAddress is IPAddress

    class FeedbackSerializer(Serializer):
        note: BlankableString
        title: str

    ser = FeedbackSerializer(data={"note": "", "title": ""})
    assert not ser.is_valid() and list(ser.errors) == ["title"]
    assert BlankableString("x") == "x"


async def test_helpers__async_sync_bridge():
    """helpers § Async / sync bridge: maybe_await, require_sync, run_sync."""

    async def coro():
        return 5

    assert await maybe_await(coro()) == 5 and await maybe_await(6) == 6
    assert require_sync(7, "afoo") == 7
    pending = coro()
    with pytest.raises(TypeError, match="use afoo instead"):
        require_sync(pending, async_alternative="afoo")
    assert pending.cr_frame is None  # closed, so no "never awaited" warning
    assert await sync_to_async(run_sync)(coro()) == 5
    assert run_sync(8) == 8


def test_types__classvar_is_not_a_field():
    """A ``ClassVar`` annotation is a class attribute, as for dataclasses: no field, the value kept."""
    from typing import ClassVar

    class Ser(Serializer):
        limit: ClassVar[int] = 3
        name: str

    assert list(Ser().fields) == ["name"] and Ser.limit == 3
