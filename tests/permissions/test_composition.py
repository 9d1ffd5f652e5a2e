"""restflow.permissions: any mix of sync and async permissions, evaluated as DRF would."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import SynchronousOnlyOperation
from django.db import connections
from django.test import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import permissions as drf
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory

from restflow import permissions
from restflow.views import AsyncReadOnlyModelViewSet
from tests.support.testapp.models import Product, Review

factory = APIRequestFactory()

# Leaf permissions ------------------------------------------------------------------------
#
# Every leaf is named "<mode>_<has_permission><has_object_permission>", e.g. "async_TF", and
# records (name, method, thread) in TRACE when it runs. "allow" and "authenticated" are DRF's
# AllowAny and IsAuthenticated (asked by an anonymous user), which record nothing.

TRACE = []


def make_leaf(mode, grant, grant_object):
    name = f"{mode}_{'T' if grant else 'F'}{'T' if grant_object else 'F'}"

    def record(method):
        TRACE.append((name, method, threading.get_ident()))

    if mode == "sync":

        def has_permission(self, request, view):
            record("perm")
            return grant

        def has_object_permission(self, request, view, obj):
            record("object")
            return grant_object

        methods = {"has_permission": has_permission, "has_object_permission": has_object_permission}
        return name, type(name, (drf.BasePermission,), methods)

    async def ahas_permission(self, request, view):
        record("perm")
        return grant

    async def ahas_object_permission(self, request, view, obj):
        record("object")
        return grant_object

    methods = {"ahas_permission": ahas_permission, "ahas_object_permission": ahas_object_permission}
    return name, type(name, (permissions.BasePermission,), methods)


LEAVES = dict(
    make_leaf(mode, grant, grant_object)
    for mode in ("sync", "async")
    for grant in (True, False)
    for grant_object in (True, False)
)
LEAVES["allow"] = drf.AllowAny
LEAVES["authenticated"] = drf.IsAuthenticated
BUILTIN = {"allow": (True, True), "authenticated": (False, True)}  # for an anonymous user


def grants(name):
    """(has_permission, has_object_permission) of a leaf."""
    return BUILTIN.get(name) or (name[-2] == "T", name[-1] == "T")


# Expression trees: a leaf name, ("and", a, b), ("or", a, b) or ("not", a) ------------------

leaf_names = st.sampled_from(sorted(LEAVES))
trees = st.recursive(
    leaf_names,
    lambda kids: st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), kids, kids),
        st.tuples(st.just("not"), kids),
    ),
    max_leaves=6,
)


def compose(tree):
    """The permission class a user would write for ``tree``, with DRF's ``&``, ``|``, ``~``."""
    if isinstance(tree, str):
        return LEAVES[tree]
    if tree[0] == "not":
        return ~compose(tree[1])
    left, right = compose(tree[1]), compose(tree[2])
    return left & right if tree[0] == "and" else left | right


def expect_permission(tree, trace):
    """Plain boolean evaluation with short-circuits, appending each traced leaf call."""
    if isinstance(tree, str):
        if tree not in BUILTIN:
            trace.append((tree, "perm"))
        return grants(tree)[0]
    if tree[0] == "not":
        return not expect_permission(tree[1], trace)
    if tree[0] == "and":
        return expect_permission(tree[1], trace) and expect_permission(tree[2], trace)
    return expect_permission(tree[1], trace) or expect_permission(tree[2], trace)


def expect_object_permission(tree, trace):
    """As above for objects; an OR operand must grant both its checks to grant the object."""
    if isinstance(tree, str):
        if tree not in BUILTIN:
            trace.append((tree, "object"))
        return grants(tree)[1]
    if tree[0] == "not":
        return not expect_object_permission(tree[1], trace)
    if tree[0] == "and":
        return expect_object_permission(tree[1], trace) and expect_object_permission(
            tree[2], trace
        )
    return any(
        expect_permission(operand, trace) and expect_object_permission(operand, trace)
        for operand in tree[1:]
    )


def leaves_of(tree):
    return {tree} if isinstance(tree, str) else set().union(*map(leaves_of, tree[1:]))


def anonymous_request(method="get"):
    request = Request(getattr(factory, method)("/"))
    request.user = AnonymousUser()
    return request


@pytest.fixture
def hops(monkeypatch):
    """How many times restflow.permissions hopped to the sync thread."""
    count = []

    def counting(func, *args, **kwargs):
        count.append(func)
        return sync_to_async(func, *args, **kwargs)

    monkeypatch.setattr(permissions, "sync_to_async", counting)
    return count


def run(coroutine):
    """Run on a fresh event loop in this thread, as a worker's loop would."""
    TRACE.clear()
    result = asyncio.run(coroutine)
    return result, [(name, method) for name, method, _ in TRACE]


def assert_threads():
    """Sync leaves ran off the loop's thread (a hop); async leaves on it."""
    loop_thread = threading.get_ident()
    for name, _, thread in TRACE:
        assert (thread == loop_thread) == name.startswith("async"), name


# Composition -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees)
def test_composed_has_permission(tree, hops):
    permission = compose(tree)()
    hops.clear()
    expected_trace = []
    expected = expect_permission(tree, expected_trace)

    result, trace = run(permissions.ahas_permission(permission, anonymous_request(), None))
    assert result is expected
    assert trace == expected_trace
    assert_threads()
    leaves = leaves_of(tree)
    if not any(name.startswith("async") for name in leaves):  # an all-sync tree: one hop at most
        assert len(hops) == (1 if any(name.startswith("sync") for name in leaves) else 0)

    # DRF's own sync evaluation agrees (async leaves run through BasePermission's bridge).
    TRACE.clear()
    assert permission.has_permission(anonymous_request(), None) is expected
    assert [(name, method) for name, method, _ in TRACE] == expected_trace


@settings(max_examples=300, deadline=None)
@given(tree=trees)
def test_composed_has_object_permission(tree):
    permission = compose(tree)()
    expected_trace = []
    expected = expect_object_permission(tree, expected_trace)
    obj = object()

    result, trace = run(
        permissions.ahas_object_permission(permission, anonymous_request(), None, obj)
    )
    assert result is expected
    assert trace == expected_trace
    assert_threads()

    TRACE.clear()
    assert permission.has_object_permission(anonymous_request(), None, obj) is expected
    assert [(name, method) for name, method, _ in TRACE] == expected_trace


@pytest.mark.parametrize(
    "expression",
    [
        lambda: drf.IsAuthenticated | LEAVES["async_TT"],
        lambda: LEAVES["async_TT"] & drf.AllowAny,
        lambda: ~LEAVES["async_FF"] & LEAVES["sync_TT"],
        lambda: LEAVES["sync_FT"] | ~drf.IsAuthenticated,
    ],
)
def test_drf_classes_compose_with_async_ones_on_either_side(expression):
    result, trace = run(permissions.ahas_permission(expression()(), anonymous_request(), None))
    assert result is True
    assert trace


def test_builtin_permissions_run_on_the_loop(hops):
    composed = (drf.IsAuthenticated | drf.IsAuthenticatedOrReadOnly) & ~drf.IsAdminUser
    for permission in [drf.AllowAny(), drf.IsAuthenticated(), drf.IsAdminUser(), composed()]:
        run(permissions.ahas_permission(permission, anonymous_request(), None))
        run(permissions.ahas_object_permission(permission, anonymous_request(), None, object()))
    assert hops == []


def test_overridden_builtin_runs_in_a_hop(hops):
    class StaffOnWeekdays(drf.IsAuthenticated):
        def has_permission(self, request, view):
            TRACE.append(("sync_weekday", "perm", threading.get_ident()))
            return True

    result, trace = run(permissions.ahas_permission(StaffOnWeekdays(), anonymous_request(), None))
    assert result is True
    assert_threads()
    assert len(hops) == 1


# First denial ----------------------------------------------------------------------------


def expect_first_denied(names):
    """The first denying leaf, the leaves asked, and the hops an ideal evaluation needs.

    Consecutive non-async leaves share one hop, needed once the first sync leaf of the run is
    reached (DRF's pure checks before it are answered on the loop).
    """
    trace, hop_runs = [], set()
    run_index = 0
    for name in names:
        if name.startswith("async"):
            run_index += 1
        elif name.startswith("sync"):
            hop_runs.add(run_index)
        if name not in BUILTIN:
            trace.append((name, "perm"))
        if not grants(name)[0]:
            return name, trace, len(hop_runs)
    return None, trace, len(hop_runs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(leaf_names, max_size=7))
def test_first_denied(names, hops):
    instances = [LEAVES[name]() for name in names]
    hops.clear()
    expected, expected_trace, expected_hops = expect_first_denied(names)

    denied, trace = run(permissions.afirst_denied(instances, anonymous_request(), None))
    assert denied is (instances[names.index(expected)] if expected else None)
    assert trace == expected_trace
    assert len(hops) == expected_hops
    assert_threads()


def test_first_denied_object():
    instances = [LEAVES["sync_FT"](), LEAVES["async_TT"](), LEAVES["sync_TF"](), drf.AllowAny()]
    denied, trace = run(
        permissions.afirst_denied_object(instances, anonymous_request(), None, object())
    )
    assert denied is instances[2]
    assert trace == [("sync_FT", "object"), ("async_TT", "object"), ("sync_TF", "object")]


def test_first_denied_with_composed_permissions():
    instances = [(LEAVES["sync_TT"] & LEAVES["async_TT"])(), (drf.AllowAny & ~LEAVES["sync_TT"])()]
    denied, trace = run(permissions.afirst_denied(instances, anonymous_request(), None))
    assert denied is instances[1]
    assert trace == [("sync_TT", "perm"), ("async_TT", "perm"), ("sync_TT", "perm")]


def test_restflow_permission_without_overrides_grants():
    request = anonymous_request()
    assert run(permissions.ahas_permission(permissions.BasePermission(), request, None))[0]
    assert permissions.BasePermission().has_object_permission(request, None, object())


# Permissions that query the database -----------------------------------------------------


class ProductView:
    queryset = Product.objects.all()


class WroteAReview(drf.BasePermission):
    """Object permission stored in the database, as guardian-style backends do."""

    def has_object_permission(self, request, view, obj):
        return Review.objects.filter(product=obj, author=request.user.username).exists()


@pytest.fixture
async def db_rows(transactional_db):
    """A user allowed to add products, one who is not, and a product the first reviewed."""

    def create():
        editor = User.objects.create_user("editor")
        editor.user_permissions.add(Permission.objects.get(codename="add_product"))
        User.objects.create_user("visitor")
        product = Product.objects.create(name="lamp", sku="lamp-1")
        Review.objects.create(product=product, author="editor")
        return product

    product = await sync_to_async(create)()
    yield product
    await sync_to_async(connections.close_all)()


async def post_as(username):
    request = Request(factory.post("/products/", {}))
    request.user = await User.objects.aget(username=username)
    return request


@pytest.mark.django_db(transaction=True)
async def test_django_model_permissions_from_async_code(db_rows):
    with pytest.raises(SynchronousOnlyOperation):  # what a direct call does on the loop
        drf.DjangoModelPermissions().has_permission(await post_as("editor"), ProductView())

    permission = drf.DjangoModelPermissions()
    assert await permissions.ahas_permission(permission, await post_as("editor"), ProductView())
    assert not await permissions.ahas_permission(
        permission, await post_as("visitor"), ProductView()
    )


@pytest.mark.django_db(transaction=True)
async def test_database_permissions_share_one_hop(db_rows, hops):
    checks = [drf.IsAuthenticated(), drf.DjangoModelPermissions(), WroteAReview()]
    assert await permissions.afirst_denied(checks, await post_as("editor"), ProductView()) is None
    assert (
        await permissions.afirst_denied_object(
            checks, await post_as("visitor"), ProductView(), db_rows
        )
        is checks[2]
    )
    assert len(hops) == 2  # one per call


@pytest.mark.django_db(transaction=True)
async def test_database_object_permission_composed_with_async(db_rows):
    permission = (WroteAReview | LEAVES["async_FT"])()
    assert await permissions.ahas_object_permission(
        permission, await post_as("editor"), ProductView(), db_rows
    )
    assert not await permissions.ahas_object_permission(
        permission, await post_as("visitor"), ProductView(), db_rows
    )


# Through a real route --------------------------------------------------------------------


class NotBanned(permissions.BasePermission):
    message = "Banned users may not see products."

    async def ahas_permission(self, request, view):
        return request.user.username != "banned"


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class GuardedProducts(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    authentication_classes = [TokenAuthentication]
    permission_classes = [drf.IsAuthenticated, NotBanned]


router = DefaultRouter()
router.register("products", GuardedProducts, basename="guarded")
urlpatterns = router.urls


async def token_for(username):
    user = await sync_to_async(User.objects.create_user)(username)
    return f"Token {(await Token.objects.acreate(user=user)).key}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
async def test_route_answers_401_403_and_200():
    client = AsyncClient()
    anonymous = await client.get("/products/")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Token"

    banned = await client.get("/products/", headers={"Authorization": await token_for("banned")})
    assert banned.status_code == 403
    assert banned.json() == {"detail": NotBanned.message}

    allowed = await client.get("/products/", headers={"Authorization": await token_for("alice")})
    assert allowed.status_code == 200
    await sync_to_async(connections.close_all)()
