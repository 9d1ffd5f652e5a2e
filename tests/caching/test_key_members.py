"""The public members of key fields and key constructors describe the keys cached functions use."""

import datetime

import pytest

from restflow.caching import ArgsKeyField, CacheKeyField, ConstantKeyField, KeyConstructor, cache_result


class ByUser(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)
    lang = ArgsKeyField("lang")
    v = ConstantKeyField("v", "1")

    class Meta:
        namespace = "members"
        version = 3


@cache_result(key_constructor=ByUser)
def profile(user_id, lang="en"):
    return {"user": user_id, "lang": lang}


def test_generate_key_is_the_key_the_cached_function_uses():
    constructor = ByUser()
    key = constructor.generate_key(profile.func, (7,), {"lang": "fr"})
    assert key == profile.get_cache_key(7, lang="fr")
    assert key.startswith(constructor.build_key_prefix(profile.func, (7,), {}))
    assert constructor.build_partition(profile.func, (7,), {}) == "user=7"
    assert constructor.build_key_suffix(profile.func, (7,), {"lang": "fr"}) == key.rsplit("::", 1)[1]


def test_constructor_reports_its_version_fields_and_function_identifier():
    constructor = ByUser()
    assert constructor.get_version() == 3
    assert set(constructor.get_fields()) == {"user", "lang", "v"}
    assert constructor.get_fields()["user"] is not ByUser._fields["user"]
    assert constructor.has_only_partition_fields is False
    assert ByUser.get_function_identifier(profile.func) == f"{__name__}.profile"


def test_field_members_describe_its_slice_of_the_key():
    field = ByUser._fields["lang"]
    assert field.get_key_payload(profile.func, (7,), {"lang": "fr"}) == {"lang": "fr"}
    assert field.get_cache_key_part(profile.func, (7,), {"lang": "fr"}) == "lang=fr"
    assert field.get_cache_key_part(profile.func, (7,), {"lang": "fr"}) in profile.get_cache_key(7, lang="fr")


def test_normalize_makes_data_deterministic():
    field = ArgsKeyField("x", sort_lists=True)
    assert field.normalize({"b": [3, 1], "a": None, "d": datetime.date(2024, 1, 2)}) == {
        "a": "null",
        "b": ["1", "3"],
        "d": "2024-01-02",
    }
    assert ArgsKeyField("x", sort_lists=False).normalize([3, 1]) == ["3", "1"]


def test_a_custom_field_writing_get_key_payload_puts_its_payload_in_the_key():
    class Tenant(CacheKeyField):
        def get_key_payload(self, func, args, kwargs):
            return {"tenant": kwargs["user_id"] % 2}

    class ByTenant(KeyConstructor):
        tenant = Tenant(partition=True)

    @cache_result(key_constructor=ByTenant)
    def answer(user_id):
        return user_id

    assert "tenant=" in answer.get_cache_key(3)
    assert answer.get_cache_key(3) == answer.get_cache_key(5) != answer.get_cache_key(4)


def test_redefining_how_keys_are_built_is_refused():
    with pytest.raises(TypeError, match="redefines generate_key"):

        class Custom(KeyConstructor):
            def generate_key(self, func, args, kwargs):
                return "fixed"


def test_a_dict_of_inline_key_constructor_arguments_is_accepted():
    @cache_result(key_constructor={"fields": {"user": ArgsKeyField("user_id", partition=True)}, "namespace": "inline"})
    def by_dict(user_id):
        return user_id

    assert by_dict.get_cache_key(4).startswith("restflow:inline:v1::") and "user=4" in by_dict.get_cache_key(4)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("version", 1.5, "version must be an integer"),
        ("namespace", 42, "namespace must be a string"),
        ("key_identifier", 7, "key_identifier must be a string"),
        ("max_key_suffix_length", "long", "max_key_suffix_length must be an integer"),
        ("hash_suffix_on_overflow", "yes", "hash_suffix_on_overflow must be a boolean"),
    ],
)
def test_meta_options_of_the_wrong_type_are_refused(option, value, message):
    with pytest.raises(TypeError, match=message):
        KeyConstructorMetaOnly = type("Meta", (), {option: value})  # noqa: N806
        type("Bad", (KeyConstructor,), {"Meta": KeyConstructorMetaOnly})


def test_a_version_written_as_digits_is_an_integer():
    class Digits(KeyConstructor):
        class Meta:
            version = "3"

    assert Digits().get_version() == 3


def test_field_members_without_a_function_read_the_keyword_arguments():
    field = ArgsKeyField(["user_id"])
    assert field.arguments == ["user_id"]
    assert field.get_key_payload(None, (), {"user_id": 3, "lang": "en"}) == {"user_id": 3}
    assert ConstantKeyField("v", "1").get_cache_key_part(None, (), {}) == "v=1"


def test_query_params_key_field_reads_a_plain_dict_of_parameters():
    from types import SimpleNamespace

    from restflow.caching import QueryParamsKeyField

    request = SimpleNamespace(query_params={"tag": ["b", "a"], "page": 2})
    payload = QueryParamsKeyField("*").get_key_payload(None, (), {"request": request})
    assert list(payload.values()) == [{"page": ["2"], "tag": ["a", "b"]}]


async def test_async_cache_if_and_cache_unless_predicates_are_awaited():
    async def positive(value):
        return value > 0

    async def zero(value):
        return value == 0

    @cache_result(key_constructor={"x": ArgsKeyField("x")}, cache_if=positive)
    async def kept_if(x):
        return x

    @cache_result(key_constructor={"x": ArgsKeyField("x")}, cache_unless=zero)
    async def kept_unless(x):
        return x

    from restflow.caching import CACHE_MISSING

    for function, kept, dropped in ((kept_if, 5, -3), (kept_unless, 7, 0)):
        await function(kept), await function(dropped)
        assert await function.aget_cache_only(kept) == kept
        assert await function.aget_cache_only(dropped) is CACHE_MISSING


def test_an_async_predicate_on_a_sync_function_is_refused():
    async def positive(value):
        return value > 0

    @cache_result(key_constructor={"x": ArgsKeyField("x")}, cache_if=positive)
    def sync_function(x):
        return x

    with pytest.raises(TypeError, match="sync cache_if/cache_unless predicate"):
        sync_function(1)
