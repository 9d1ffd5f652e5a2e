"""restflow.caching, walked section by section through restflow's caching guide.

Each test names the page and section it shows (docs/guide/caching/*.md). Views go through real
routes (tests/support/caching_urls.py). Prefix deletes run on the local-memory cache and, when Redis
answers on 127.0.0.1:6379, on Redis (database 9, a key prefix of this run's own).
"""

import asyncio
import os

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings

from restflow import caching
from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    CacheStatus,
    ConstantKeyField,
    DjangoModelKeyField,
    DrfSerializerKeyField,
    InlineKeyConstructor,
    InvalidationRule,
    KeyConstructor,
    QueryParamsKeyField,
    RequestValueKeyField,
    cache_result,
    set_response_cache_header,
)
from restflow.caching.store import CacheStore
from tests.support import caching_urls
from tests.support.services import redis_url
from tests.support.testapp.models import Category, Product
from tests.support.testapp.serializers import ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.caching_urls")]


REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": redis_url(),
    "KEY_PREFIX": f"restflow-tests-{os.getpid()}",
}
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request):
    """The default cache as local memory, then as Redis (skipped when Redis is absent).

    Only this run's keys are deleted (never the whole Redis database: other runs may share it).
    """
    with override_settings(CACHES={"default": REDIS if request.param == "redis" else LOCMEM}):
        CacheStore("default").delete_pattern("*")
        yield request.param
        CacheStore("default").delete_pattern("*")


@pytest.fixture(autouse=True)
def _reset_calls_and_rules():
    """Each test starts with the views' counters at 0 and only the rules registered at import."""
    for name in caching_urls.calls:
        caching_urls.calls[name] = 0
    targets, by_model = dict(caching.rules._targets), {k: list(v) for k, v in caching.rules._by_model.items()}
    yield
    caching.rules._targets.clear()
    caching.rules._targets.update(targets)
    caching.rules._by_model.clear()
    caching.rules._by_model.update(by_model)


class UserPayloadKey(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)
    version = ConstantKeyField("v", "1")

    class Meta:
        namespace = "users"


def counting(key_constructor=UserPayloadKey, **options):
    """A cached ``payload(user_id, lang="en")`` that records its calls."""
    seen = []

    @cache_result(key_constructor=key_constructor, **options)
    def payload(user_id, lang="en"):
        seen.append((user_id, lang))
        return {"user": user_id, "lang": lang}

    return payload, seen


# --- index.md -------------------------------------------------------------------------------------


def test_overview_caching_a_function_with_rule(backend):
    """index.md, Caching: key constructor + TTL + invalidation rules on one cached function."""
    user = User.objects.create(username="ada")
    calls = []

    @cache_result(
        key_constructor=UserPayloadKey, ttl=300,
        invalidates_on=[InvalidationRule(model=User, field_mapping={"user_id": "id"})],
    )
    def get_user_payload(user_id: int):
        calls.append(user_id)
        return {"name": User.objects.get(pk=user_id).username}

    assert get_user_payload(user.pk) == {"name": "ada"}
    assert get_user_payload(user.pk) == {"name": "ada"}
    assert calls == [user.pk]
    user.username = "grace"
    user.save()
    assert get_user_payload(user.pk) == {"name": "grace"}
    assert calls == [user.pk, user.pk]


# --- key-constructors.md --------------------------------------------------------------------------


def test_anatomy_of_a_cache_key():
    """key-constructors.md, Anatomy: namespace, function id, partition, suffix, in that order."""
    payload, _ = counting()
    key = payload.get_cache_key(42)
    assert key == "restflow:users:v1::tests.caching.test_caching.counting.<locals>.payload::user=42::v=1"


def test_meta_options_version_identifier_and_unknown_option():
    """key-constructors.md, Declaring a constructor: version bumps change keys, key_identifier shares them."""

    class V2(UserPayloadKey):
        class Meta:
            version = 2
            key_identifier = "shared"

    payload, _ = counting(V2)
    assert payload.get_cache_key(1) == "restflow:users:v2::shared::user=1::v=1"
    with pytest.raises(TypeError, match="unknown option 'nmespace'"):

        class Typo(KeyConstructor):
            class Meta:
                nmespace = "x"


def test_suffix_overflow_truncates_or_hashes():
    """key-constructors.md, Meta: max_key_suffix_length with hash_suffix_on_overflow (or truncation)."""

    class Long(KeyConstructor):
        words = ArgsKeyField("words")

        class Meta:
            max_key_suffix_length = 20

    class Hashed(Long):
        class Meta:
            hash_suffix_on_overflow = True

    truncated, _ = counting(Long)
    hashed, _ = counting(Hashed)
    assert truncated.get_cache_key.__self__.key_constructor is Long
    suffix = Long.build_key("f", caching.fields.KeyContext({"words": "x" * 100})).rsplit("::", 1)[1]
    assert suffix == ("words=" + "x" * 100)[:20]
    digest = Hashed.build_key("f", caching.fields.KeyContext({"words": "x" * 100})).rsplit("::", 1)[1]
    assert len(digest) == 64 and "x" not in digest


def test_inline_key_constructor_is_cached():
    """key-constructors.md, InlineKeyConstructor: the same fields and Meta give the same class."""
    first = InlineKeyConstructor(fields={"user": ArgsKeyField("user_id", partition=True)}, namespace="users")
    second = InlineKeyConstructor(fields={"user": ArgsKeyField("user_id", partition=True)}, namespace="users")
    third = InlineKeyConstructor(fields={"user": ArgsKeyField("user_id")}, namespace="users")
    assert first is second and first is not third

    @cache_result(first, ttl=60)
    def get_user(user_id: int):
        return user_id

    assert get_user.get_cache_key(3) == "restflow:users:v1::tests.caching.test_caching.test_inline_key_constructor_is_cached.<locals>.get_user::user=3::"


def test_default_key_constructor_uses_every_argument(backend):
    """key-constructors.md, DefaultKeyConstructor: each distinct set of arguments is its own entry."""
    calls = []

    @cache_result(ttl=60)
    def expensive_op(a: int, b: int):
        calls.append((a, b))
        return a + b

    assert [expensive_op(1, 2), expensive_op(1, 2), expensive_op(2, 1), expensive_op(a=1, b=2)] == [3, 3, 3, 3]
    assert calls == [(1, 2), (2, 1)]


def test_args_key_field_path_normalizer_and_lists():
    """key-constructors.md, ArgsKeyField: names, path, normalizer; sort_lists and dict keys sorted."""
    context = caching.fields.KeyContext

    class K(KeyConstructor):
        user = ArgsKeyField("user", path="pk")
        tags = ArgsKeyField("tags")
        lang = ArgsKeyField("lang", normalizer=str.lower)
        broken = ArgsKeyField("lang", normalizer=int)  # raises: the value is kept
        ordered = ArgsKeyField("tags", sort_lists=False)

    user = User(pk=7)
    first = K.build_key("f", context({"user": user, "tags": [2, 1], "lang": "EN"}))
    second = K.build_key("f", context({"user": user, "tags": [1, 2], "lang": "en"}))
    assert "user=7" in first and "tags=[1,2]" in first and "lang=en" in first and "broken=EN" in first
    assert "ordered=[2,1]" in first and "ordered=[1,2]" in second
    assert first.replace("ordered=[2,1]", "") == second.replace("ordered=[1,2]", "").replace("broken=en", "broken=EN")


def test_request_and_query_param_fields(rf):
    """key-constructors.md, RequestValueKeyField and QueryParamsKeyField (repeated values sorted)."""

    class K(KeyConstructor):
        tenant = RequestValueKeyField("META.HTTP_X_TENANT", partition=True)
        filters = QueryParamsKeyField(["status", "tag"])

    def key(query):
        request = rf.get("/", QUERY_STRING=query, HTTP_X_TENANT="acme")
        return K.build_key("f", caching.fields.KeyContext({"request": request}))

    assert key("tag=a&tag=b&status=1&other=x") == key("status=1&tag=b&tag=a")
    assert "tenant=acme" in key("") and key("status=2") != key("status=1")

    class View:
        request = rf.get("/", HTTP_X_TENANT="initech")

    fallback = K.build_key("f", caching.fields.KeyContext({"self": View()}))
    assert "tenant=initech" in fallback


def test_model_and_serializer_fingerprints():
    """key-constructors.md, DjangoModelKeyField and DrfSerializerKeyField: hashed shapes that follow changes."""
    from rest_framework import serializers

    class Narrow(serializers.ModelSerializer):
        class Meta:
            model = Product
            fields = ["id", "name"]

    def key(field):
        class K(KeyConstructor):
            shape = field

        return K.build_key("f", caching.fields.KeyContext({})).rsplit("::", 1)[1]

    assert key(DjangoModelKeyField(Product)) != key(DjangoModelKeyField(Category))
    assert key(DrfSerializerKeyField(ProductSerializer)) != key(DrfSerializerKeyField(Narrow))
    assert len(key(DrfSerializerKeyField(Narrow)).split("=")[1]) == 64


def test_partition_vs_suffix_and_delete_by_prefix(backend):
    """key-constructors.md, Partition vs suffix: delete_by_prefix drops a partition, not its neighbours."""
    payload, seen = counting()
    payload(1, "en"), payload(1, "fr"), payload(2, "en")
    payload.delete_by_prefix(user_id=1)
    assert payload.get_cache_only(1, "en") is CACHE_MISSING
    assert payload.get_cache_only(1, "fr") is CACHE_MISSING
    assert payload.get_cache_only(2, "en") == {"user": 2, "lang": "en"}


def test_delete_by_prefix_binds_positional_values_as_a_call_does(backend):
    """cache-result.md, delete_by_prefix: arguments bind to the function's signature, positional ones too."""
    payload, seen = counting()
    payload(1, "en"), payload(2, "en")
    payload.delete_by_prefix(1)
    assert payload.get_cache_only(1, "en") is CACHE_MISSING
    assert payload.get_cache_only(2, "en") == {"user": 2, "lang": "en"}


def test_wipe_every_function_sharing_a_constructor(backend):
    """key-constructors.md, Wiping every function that shares a constructor: wipe(user_id=...) and wipe()."""

    class Base(KeyConstructor):
        user_id = ArgsKeyField("user_id", partition=True)

        class Meta:
            identifier = "user_data"

    class One(Base):
        part = ConstantKeyField("part", "a")

    class Two(Base):
        part = ConstantKeyField("part", "b")

    first, _ = counting(One)
    second, _ = counting(Two)
    first(42), second(42), first(7)
    Base.wipe(user_id=42)
    assert first.get_cache_only(42) is CACHE_MISSING and second.get_cache_only(42) is CACHE_MISSING
    assert first.get_cache_only(7) == {"user": 7, "lang": "en"}
    Base.wipe()
    assert first.get_cache_only(7) is CACHE_MISSING


def test_delete_previous_versions(backend):
    """key-constructors.md, Clearing old versions: versions 1..n-1 of the namespace go, n stays."""

    class V1(KeyConstructor):
        user = ArgsKeyField("user_id")

        class Meta:
            namespace = "user_data"

    class V3(V1):
        class Meta:
            version = 3

    old, _ = counting(V1)
    new, _ = counting(V3)
    old(1), new(1)
    V3.delete_previous_versions()
    assert old.get_cache_only(1) is CACHE_MISSING and new.get_cache_only(1) == {"user": 1, "lang": "en"}

    class NoNamespace(KeyConstructor):
        class Meta:
            version = 2

    with pytest.raises(ValueError, match="no Meta.namespace"):
        NoNamespace.delete_previous_versions()


def test_prefix_deletes_need_a_capable_backend():
    """index.md, Cache backend: delete_by_prefix on a backend without key listing raises, saying what works."""
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        payload, _ = counting()
        with pytest.raises(ImproperlyConfigured, match="need a Redis cache"):
            payload.delete_by_prefix(user_id=1)


# --- cache-result.md ------------------------------------------------------------------------------


def test_wrapper_methods(backend):
    """cache-result.md, Wrapper attributes: metadata, cache-only reads, refresh, bypass, delete, keys."""
    payload, seen = counting(ttl=300)
    assert payload.get_cached_metadata(5) is None
    assert payload.get_cache_only(5) is CACHE_MISSING
    value, metadata = payload.get_with_metadata(5)
    assert metadata["cache_status"] == CacheStatus.MISS and metadata["reset_at"] > metadata["cached_at"]
    assert payload.get_with_metadata(5)[1]["cache_status"] == "HIT"
    assert payload.get_cached_metadata(5)["cached_at"] == metadata["cached_at"]
    assert payload.refresh(5) == value and payload.get_cached_metadata(5)["cached_at"] >= metadata["cached_at"]
    assert payload.bypass_cache(5) == value
    assert len(seen) == 3
    payload.delete_cache(5)
    assert payload.get_cache_only(5) is CACHE_MISSING
    payload(5), payload(6)
    payload.invalidate_all()
    assert payload.get_cache_only(6) is CACHE_MISSING


def test_cached_none_is_not_a_miss(backend):
    """cache-result.md, get_cache_only: a cached None is told apart from a miss by CACHE_MISSING."""
    calls = []

    @cache_result(ttl=60)
    def nothing(x):
        calls.append(x)

    assert nothing(1) is None and nothing(1) is None and calls == [1]
    assert nothing.get_cache_only(1) is None


def test_cache_if_and_cache_unless(backend):
    """cache-result.md, cache_if and cache_unless: filter what is stored; both at once is an error."""
    calls = []

    @cache_result(ttl=60, cache_if=lambda result: result is not None)
    def maybe(x):
        calls.append(x)
        return x or None

    @cache_result(ttl=60, cache_unless=lambda result: result == [])
    def search(query):
        calls.append(query)
        return [query] if query else []

    maybe(0), maybe(0), maybe(3), maybe(3), search(""), search(""), search("a"), search("a")
    assert calls == [0, 0, 3, "", "", "a"]
    with pytest.raises(ValueError, match="mutually exclusive"):
        cache_result(cache_if=bool, cache_unless=bool)(lambda: None)


def test_ttl_none_never_expires(backend):
    """cache-result.md, Parameters: ttl=None means no expiration (no reset_at)."""
    payload, _ = counting(ttl=None)
    assert payload.get_with_metadata(1)[1]["reset_at"] is None
    assert payload.get_cached_metadata(1) is not None


async def test_async_function_and_its_methods(backend):
    """cache-result.md, Async support: awaited wrapper and the a-prefixed methods; sync names refuse."""
    seen = []

    @cache_result(key_constructor=UserPayloadKey, ttl=300)
    async def get_user_payload(user_id: int):
        seen.append(user_id)
        return {"user": user_id}

    assert await get_user_payload(42) == {"user": 42}
    value, metadata = await get_user_payload.aget_with_metadata(42)
    assert metadata["cache_status"] == "HIT" and seen == [42]
    assert (await get_user_payload.aget_cached_metadata(42))["cache_status"] == "HIT"
    await get_user_payload.arefresh(42)
    assert await get_user_payload.abypass_cache(42) == value and seen == [42, 42, 42]
    await get_user_payload.adelete_cache(42)
    assert await get_user_payload.aget_cache_only(42) is CACHE_MISSING
    await get_user_payload(42), await get_user_payload(43)
    await get_user_payload.adelete_by_prefix(user_id=42)
    assert await get_user_payload.aget_cache_only(42) is CACHE_MISSING
    await get_user_payload.ainvalidate_all()
    assert await get_user_payload.aget_cache_only(43) is CACHE_MISSING
    with pytest.raises(TypeError, match="arefresh"):
        get_user_payload.refresh(42)


async def test_async_predicates(backend):
    """cache-result.md, Async predicates: cache_if may be async def."""
    seen = []

    async def has_payload(result):
        return result is not None

    @cache_result(ttl=60, cache_if=has_payload)
    async def fetch(x):
        seen.append(x)
        return x or None

    await fetch(0), await fetch(0), await fetch(1), await fetch(1)
    assert seen == [0, 0, 1]


async def test_async_hit_costs_no_thread_hop(backend, monkeypatch):
    """Ours: an async cached function answers a hit without a sync_to_async hop (local memory and Redis)."""

    @cache_result(ttl=60)
    async def value(x):
        return x

    await value(1)
    hops = []
    original = SyncToAsync.__call__

    async def counting_call(self, *args, **kwargs):
        hops.append(self.func)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting_call)
    assert await value(1) == 1
    assert hops == []


async def test_stampede_computes_once_per_key(backend):
    """Ours: 50 concurrent misses of one cold key in a process share one computation."""
    seen = []

    @cache_result(ttl=60)
    async def slow(x):
        seen.append(x)
        await asyncio.sleep(0.05)
        return x * 2

    results = await asyncio.gather(*(slow(3) for _ in range(50)), *(slow(4) for _ in range(50)))
    assert results == [6] * 50 + [8] * 50
    assert sorted(seen) == [3, 4]


def test_invalidator_with_async_function(backend):
    """cache-result.md, Async invalidators: an async def invalidator is bridged by the inline dispatcher."""
    user = User.objects.create(username="ada")
    ran = []

    async def invalidate_user(wrapper, instance, **_extras):
        ran.append(instance.pk)
        await wrapper.adelete_by_prefix(user_id=instance.id)

    @cache_result(key_constructor=UserPayloadKey, ttl=300,
                  invalidates_on=[InvalidationRule(model=User, invalidator=invalidate_user)])
    async def get_user_payload(user_id: int):
        return {"user": user_id}

    from asgiref.sync import async_to_sync

    async_to_sync(get_user_payload)(user.pk)
    user.save()
    assert ran == [user.pk]
    assert async_to_sync(get_user_payload.aget_cache_only)(user.pk) is CACHE_MISSING


# --- invalidation.md -----------------------------------------------------------------------------


def test_field_mapping_and_exact_key_fallback(backend):
    """invalidation.md, Field mapping: a partition argument wipes by prefix, another argument the exact key."""
    product = Product.objects.create(name="p", sku="s1")
    seen = []

    class BySku(KeyConstructor):
        sku = ArgsKeyField("sku")

    @cache_result(key_constructor=BySku, invalidates_on=[InvalidationRule(model=Product, field_mapping={"sku": "sku"})])
    def by_sku(sku):
        seen.append(sku)
        return sku.upper()

    by_sku("s1"), by_sku("s1")
    product.name = "q"
    product.save()
    by_sku("s1")
    assert seen == ["s1", "s1"]


def test_require_args(backend):
    """invalidation.md, require_args: None values skip the rule unless allowed (True, False, a list)."""
    category = Category.objects.create(name="c")
    product = Product.objects.create(name="p", sku="s1")

    def build(require_args):
        class K(KeyConstructor):
            category_id = ArgsKeyField("category_id", partition=True)

            class Meta:
                key_identifier = f"by-category-{require_args}"

        @cache_result(key_constructor=K, invalidates_on=[InvalidationRule(
            model=Product, field_mapping={"category_id": "category_id"}, require_args=require_args)])
        def by_category(category_id):
            return category_id

        return by_category

    strict, loose, listed = build(True), build(False), build(["category_id"])
    for wrapper in (strict, loose, listed):
        wrapper(None)
    product.save()  # category_id is None
    assert strict.get_cache_only(None) is None  # still cached: the rule was skipped
    assert loose.get_cache_only(None) is CACHE_MISSING  # None passed through
    assert listed.get_cache_only(None) is None
    product.category = category
    product.save()
    strict(category.pk)
    product.save()
    assert strict.get_cache_only(category.pk) is CACHE_MISSING


def test_custom_invalidator_extras_and_dotted_path(backend):
    """invalidation.md, Custom invalidator: (wrapper, instance, **extras); a dotted path resolves lazily."""
    received = []

    def invalidator(wrapper, instance, signal_type, update_fields):
        received.append((signal_type, update_fields))
        wrapper.delete_by_prefix(user_id=instance.id)

    payload, _ = counting(invalidates_on=[InvalidationRule(model=User, invalidator=invalidator)])
    user = User.objects.create(username="ada")
    payload(user.pk)
    user.save(update_fields=["username"])
    assert received == [("post_save", ["username"])]
    assert payload.get_cache_only(user.pk) is CACHE_MISSING
    user.delete()
    assert received[-1] == ("post_delete", None)

    with pytest.raises(ValueError, match="not both"):
        InvalidationRule(model=User, field_mapping={"a": "b"}, invalidator=invalidator)
    dotted = InvalidationRule(model=User, invalidator="tests.caching.test_caching.dotted_invalidator")
    assert dotted._invalidator() is dotted_invalidator


def dotted_invalidator(wrapper, instance, **extras):
    wrapper.invalidate_all()


def test_pre_save_gates(backend):
    """invalidation.md, Pre-save gates: trigger_on_create, watch_fields, invalidate_when (with ! negation)."""
    payload, _ = counting(invalidates_on=[
        InvalidationRule(model=User, field_mapping={"user_id": "id"}, watch_fields=["email"],
                         invalidate_when={"is_active": True, "!is_staff": True}),
    ])
    user = User.objects.create(username="ada")
    payload(user.pk)
    user.save(update_fields=["username"])  # not a watched field
    assert payload.get_cache_only(user.pk) is not CACHE_MISSING
    user.is_staff = True
    user.save(update_fields=["email", "is_staff"])  # negated condition holds: skipped
    assert payload.get_cache_only(user.pk) is not CACHE_MISSING
    user.is_staff = False
    user.save()  # no update_fields: every rule runs
    assert payload.get_cache_only(user.pk) is CACHE_MISSING

    listing, seen = counting(key_constructor=None, invalidates_on=[InvalidationRule(model=User, trigger_on_create=True)])
    listing(0)
    User.objects.create(username="new")
    assert listing.get_cache_only(0) is CACHE_MISSING


def test_rewarm_recomputes(backend):
    """invalidation.md, Refresh instead of delete: rewarm=True recomputes the entry."""
    user = User.objects.create(username="ada")
    names = []

    @cache_result(key_constructor=UserPayloadKey,
                  invalidates_on=[InvalidationRule(model=User, field_mapping={"user_id": "id"}, rewarm=True)])
    def get_user_payload(user_id):
        names.append(User.objects.get(pk=user_id).username)
        return names[-1]

    get_user_payload(user.pk)
    user.username = "grace"
    user.save()
    assert get_user_payload.get_cache_only(user.pk) == "grace"
    assert names == ["ada", "grace"]


def test_invalidation_waits_for_commit(backend):
    """dispatchers.md, inline: the work runs in transaction.on_commit, so a rolled-back save invalidates nothing."""
    user = User.objects.create(username="ada")
    payload, _ = counting(invalidates_on=[InvalidationRule(model=User, field_mapping={"user_id": "id"})])
    payload(user.pk)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            user.save()
            raise RuntimeError("rolled back")
    assert payload.get_cache_only(user.pk) is not CACHE_MISSING
    with transaction.atomic():
        user.save()
        assert payload.get_cache_only(user.pk) is not CACHE_MISSING
    assert payload.get_cache_only(user.pk) is CACHE_MISSING


def test_error_handling(backend, caplog):
    """invalidation.md, Error handling: errors are logged by default and raised with raise_exception=True."""

    def broken(wrapper, instance, **extras):
        raise LookupError("invalidator broke")

    counting(invalidates_on=[InvalidationRule(model=Category, invalidator=broken)])
    category = Category.objects.create(name="a")
    category.save()
    assert "invalidator broke" in caplog.text
    counting(invalidates_on=[InvalidationRule(model=Category, invalidator=broken, raise_exception=True)])
    with pytest.raises(LookupError, match="invalidator broke"):
        category.save()


# --- dispatchers.md ------------------------------------------------------------------------------


def test_threadpool_dispatcher(backend):
    """dispatchers.md, threadpool: the rule runs on the process-wide pool."""
    import threading

    done = threading.Event()
    threads = []

    def invalidator(wrapper, instance, **extras):
        threads.append(threading.current_thread().name)
        done.set()

    counting(invalidates_on=[InvalidationRule(model=Category, invalidator=invalidator, dispatcher="threadpool")])
    Category.objects.create(name="a").save()
    assert done.wait(5)
    assert threads[0].startswith("restflow-cache")


async def test_asyncio_dispatcher_runs_on_the_loop_or_inline(backend):
    """dispatchers.md, asyncio: a task on the running loop; inline when the thread has no loop."""
    ran = []

    async def invalidator(wrapper, instance, **extras):
        ran.append(asyncio.get_running_loop())

    counting(invalidates_on=[InvalidationRule(model=Category, invalidator=invalidator, dispatcher="asyncio")])
    category = await Category.objects.acreate(name="a")
    await category.asave()  # saved in a sync thread: no loop there, so inline (bridged)
    assert len(ran) == 1
    dispatcher = caching.dispatchers.get_dispatcher("asyncio")
    rule_id = next(rid for rid, (rule, _) in caching.rules._targets.items() if rule.invalidator is invalidator)
    dispatcher.dispatch(rule_ids=[rule_id], rule_kwargs={rule_id: {}}, instance=category)
    await asyncio.gather(*dispatcher._pending_tasks)
    assert ran[-1] is asyncio.get_running_loop()


def test_custom_dispatcher_and_unknown_names():
    """dispatchers.md, Registering a custom dispatcher; unknown and unavailable names fail at construction."""
    sent = []

    @caching.register_dispatcher
    class Recording(caching.Dispatcher):
        name = "recording"

        def dispatch(self, *, rule_ids, rule_kwargs, **context):
            sent.append((rule_ids, rule_kwargs))

    assert "recording" in caching.registered_dispatcher_names()
    payload, _ = counting(invalidates_on=[InvalidationRule(model=User, field_mapping={"user_id": "id"},
                                                           dispatcher="recording")])
    user = User.objects.create(username="ada")
    user.save()
    assert sent and list(sent[0][1].values()) == [{"user_id": user.pk}]
    with pytest.raises(ValueError, match="Unknown cache dispatcher 'nope'"):
        InvalidationRule(model=User, dispatcher="nope")
    assert {"celery", "django_rq", "dramatiq", "django_q"} <= set(caching.registered_dispatcher_names())


def test_celery_dispatcher_eager(backend):
    """dispatchers.md, celery: the bundled task runs the rules (task_always_eager, as tests do)."""
    celery = pytest.importorskip("celery", reason="celery is not installed")
    app = celery.Celery("restflow-tests", set_as_current=True)
    app.conf.task_always_eager = True
    from restflow.caching import tasks

    app.tasks.register(tasks.task_run_cache_rules) if tasks.task_run_cache_rules.name not in app.tasks else None
    payload, _ = counting(invalidates_on=[InvalidationRule(model=User, field_mapping={"user_id": "id"},
                                                           dispatcher="celery")])
    user = User.objects.create(username="ada")
    payload(user.pk)
    user.save()
    assert payload.get_cache_only(user.pk) is CACHE_MISSING


# --- cache-response.md ----------------------------------------------------------------------------


async def test_cached_viewset_action_through_action_config(backend, client):
    """cache-response.md, Basic usage (+ ours: ActionConfig(cache=...)): a hit skips the action; a create invalidates."""
    await Product.objects.acreate(name="a", sku="a")
    first = await client.get("/products/")
    second = await client.get("/products/")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and caching_urls.calls["list"] == 1
    assert first["X-Cache-status"] == "MISS" and second["X-Cache-status"] == "HIT"
    assert second["Content-Type"] == "application/json"
    await client.get("/products/", {"page": "x"})  # other query parameters: another entry
    assert caching_urls.calls["list"] == 2
    created = await client.post("/products/", {"name": "b", "sku": "b"})
    assert created.status_code == 201
    third = await client.get("/products/")
    assert third["X-Cache-status"] == "MISS" and len(third.json()) == 2


async def test_inherited_cached_action_keeps_its_own_entries(backend, client):
    """Ours: a subclass inheriting a cached action caches under its own key, not its parent's."""
    await Product.objects.acreate(name="a", sku="a", in_stock=True)
    assert len((await client.get("/products/")).json()) == 1
    assert (await client.get("/other-products/")).json() == []


async def test_retrieve_invalidated_by_field_mapping(backend, client):
    """cache-response.md, Invalidating on model changes: the saved instance's pk wipes its partition."""
    product = await Product.objects.acreate(name="a", sku="a")
    other = await Product.objects.acreate(name="o", sku="o")
    assert (await client.get(f"/products/{product.pk}/"))["X-Cache-status"] == "MISS"
    await client.get(f"/products/{other.pk}/")
    assert (await client.get(f"/products/{product.pk}/"))["X-Cache-status"] == "HIT"
    patched = await client.patch(f"/products/{product.pk}/", {"name": "renamed"})
    assert patched.status_code == 200
    fresh = await client.get(f"/products/{product.pk}/")
    assert fresh["X-Cache-status"] == "MISS" and fresh.json()["name"] == "renamed"
    assert (await client.get(f"/products/{other.pk}/"))["X-Cache-status"] == "HIT"


async def test_anonymous_and_authenticated_answers_never_mix(backend, client):
    """Ours: the default response key holds the user, so no one is served another's cached answer."""
    await sync_to_async(User.objects.create_user)("ada", password="pw")
    anonymous = await client.get("/whoami/")
    await client.alogin(username="ada", password="pw") if hasattr(client, "alogin") else await sync_to_async(
        client.login)(username="ada", password="pw")
    signed_in = await client.get("/whoami/")
    assert anonymous.json() == {"user": None} and signed_in.json() == {"user": "ada"}
    assert signed_in["X-Cache-status"] == "MISS"
    await client.alogout() if hasattr(client, "alogout") else await sync_to_async(client.logout)()
    assert (await client.get("/whoami/")).json() == {"user": None}
    assert caching_urls.calls["whoami"] == 2


async def test_negotiated_format_is_part_of_the_key(backend, client):
    """Ours: JSON and text answers of one URL are cached apart (Accept and ?format)."""
    as_json = await client.get("/whoami/", headers={"Accept": "application/json"})
    as_text = await client.get("/whoami/", headers={"Accept": "text/plain"})
    as_suffix = await client.get("/whoami/", {"format": "txt"})
    assert as_json.json() == {"user": None}
    assert as_text.content == b"whoami: None" and as_text["Content-Type"].startswith("text/plain")
    assert as_suffix.content == b"whoami: None"
    assert (await client.get("/whoami/", headers={"Accept": "application/json"})).json() == {"user": None}


async def test_concurrent_cold_requests_compute_once(backend, client):
    """Ours: concurrent requests for one cold response run the action once per process."""
    responses = await asyncio.gather(*(client.get("/products/slow/") for _ in range(20)))
    assert {response.status_code for response in responses} == {200}
    assert {response.content for response in responses} == {b'{"computed":1}'}
    assert caching_urls.calls["slow"] == 1


def test_sync_views_and_conditional_caching(backend):
    """cache-response.md, Conditional caching + sync APIView: errors are not stored when cache_if says so."""
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/timeline/", {"q": "x"}).json() == {"items": [1, 2, 3], "q": "x"}
    assert api.get("/timeline/", {"q": "x"})["X-Cache-status"] == "HIT"
    assert api.get("/timeline/", {"fail": "1"}).status_code == 400
    assert api.get("/timeline/", {"fail": "1"}).status_code == 400
    assert caching_urls.calls["sync"] == 3
    assert api.get("/sync-products/")["X-Cache-status"] == "MISS"
    assert api.get("/sync-products/")["X-Cache-status"] == "HIT"


def test_function_based_view(backend):
    """cache-response.md, Function-based views: @api_view over @cache_response."""
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/fbv/").json() == api.get("/fbv/").json() == {"calls": 1}


async def test_response_wrapper_methods(backend, rf):
    """cache-response.md, Wrapper methods: bypass, delete and refresh with (view, request) outside dispatch."""
    from rest_framework.request import Request

    from tests.support.caching_urls import SyncTimeline

    view = SyncTimeline()
    request = Request(rf.get("/timeline/", {"q": "python"}))
    view.request = request
    from rest_framework.renderers import JSONRenderer

    request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    request._request.user = None
    wrapper = SyncTimeline.get
    assert await sync_to_async(wrapper.refresh)(view, request)
    assert await sync_to_async(wrapper.get_cache_only)(view, request) is not CACHE_MISSING
    await sync_to_async(wrapper.delete_cache)(view, request)
    assert await sync_to_async(wrapper.get_cache_only)(view, request) is CACHE_MISSING
    assert (await sync_to_async(wrapper.bypass_cache)(view, request)).status_code == 200


# --- response-headers.md --------------------------------------------------------------------------


def test_set_response_cache_header():
    """response-headers.md, Headers emitted: status and timestamps; missing fields and None metadata skipped."""
    from rest_framework.response import Response

    response = set_response_cache_header(Response({}), {"cache_status": CacheStatus.MISS, "cached_at": "t0"})
    assert response["X-Cache-status"] == "MISS" and response["X-Cached-at"] == "t0"
    assert "X-Cache-reset-at" not in response
    assert "X-Cache-status" not in set_response_cache_header(Response({}), None)


async def test_cached_action_hit_costs_no_hop_in_the_view(backend, client, monkeypatch):
    """Ours: a hit on a cached async action makes no sync_to_async hop inside the view (miss: the list's one)."""
    from tests.support.hops import count_hops

    await Product.objects.acreate(name="a", sku="a")
    with count_hops(monkeypatch) as miss:
        assert (await client.get("/products/"))["X-Cache-status"] == "MISS"
    with count_hops(monkeypatch) as hit:
        assert (await client.get("/products/"))["X-Cache-status"] == "HIT"
    print(f"\nhops in the view: miss {miss['view']}, hit {hit['view']}")
    assert hit["view"] == [] and len(miss["view"]) >= 1


def test_cache_settings_apply(backend):
    """settings.md, CACHE_SETTINGS: suffix length, hashing, the algorithm and the default dispatcher are read."""

    class Long(KeyConstructor):
        words = ArgsKeyField("words")

    context = caching.fields.KeyContext({"words": "y" * 40})
    settings = {"MAX_KEY_SUFFIX_LENGTH": 10, "HASH_SUFFIX_ON_OVERFLOW": True, "KEY_HASH_ALGORITHM": "md5"}
    with override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": settings}):
        assert len(Long.build_key("f", context).rsplit("::", 1)[1]) == 32
    with override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"MAX_KEY_SUFFIX_LENGTH": 10}}):
        assert Long.build_key("f", context).rsplit("::", 1)[1] == "words=yyyy"
    ran = []

    def invalidator(wrapper, instance, **extras):
        ran.append(True)

    with override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "threadpool"}}):
        import threading

        counting(invalidates_on=[InvalidationRule(model=Category, invalidator=invalidator)])
        Category.objects.create(name="x").save()
        for _ in range(50):
            if ran:
                break
            threading.Event().wait(0.1)
    assert ran


async def test_api_version_is_part_of_the_key(backend, client):
    """Ours: an Accept-header version changes the negotiated media type and so the cached entry."""
    v1 = await client.get("/whoami/", headers={"Accept": "application/json; version=1.0"})
    v2 = await client.get("/whoami/", headers={"Accept": "application/json; version=2.0"})
    assert v1["X-Cache-status"] == v2["X-Cache-status"] == "MISS"


async def test_waiters_of_a_failed_computation_compute_themselves(backend):
    """Ours: when the leader of a stampede raises, each waiter runs the function itself."""
    attempts = []

    @cache_result(ttl=60)
    async def flaky(x):
        attempts.append(x)
        await asyncio.sleep(0.02)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        return x

    results = await asyncio.gather(*(flaky(1) for _ in range(5)), return_exceptions=True)
    assert sum(isinstance(result, RuntimeError) for result in results) == 1
    assert sorted(result for result in results if not isinstance(result, Exception)) == [1, 1, 1, 1]
    assert await flaky.aget_cache_only(1) == 1


def test_batching_shares_one_dispatch(backend):
    """invalidation.md, Batching: batch=True rules of one batching dispatcher share a dispatch; others do not."""
    dispatched = []

    @caching.register_dispatcher
    class Batching(caching.Dispatcher):
        name = "batching-recorder"
        supports_batching = True

        def dispatch(self, *, rule_ids, rule_kwargs, **context):
            dispatched.append(sorted(rule_ids))

    rules = [InvalidationRule(model=Category, invalidator=dotted_invalidator, dispatcher="batching-recorder", batch=batch)
             for batch in (True, True, False)]
    counting(invalidates_on=rules)
    Category.objects.create(name="a").save()
    assert sorted(len(ids) for ids in dispatched) == [1, 2]


def test_response_headers_from_a_function_view(backend):
    """response-headers.md, Usage: get_with_metadata in an @api_view, its status as X-Cache-status."""
    from rest_framework.test import APIClient

    api = APIClient()
    first, second = api.get("/users/5/payload/"), api.get("/users/5/payload/")
    assert first.json() == second.json() == {"user": 5}
    assert first["X-Cache-status"] == "MISS" and second["X-Cache-status"] == "HIT"
    assert second["X-Cached-at"] == first["X-Cached-at"] and "X-Cache-reset-at" in second
    assert caching_urls.calls["payload"] == 1


async def test_async_view_with_restflow_response(backend, client):
    """cache-response.md, Async views: a method answering restflow.responses.Response is rendered with arender."""
    from restflow.responses import Response

    assert (await client.get("/me/")).json() == (await client.get("/me/")).json() == {"me": 1}
    assert caching_urls.calls["me"] == 1
    assert callable(Response.arender)
