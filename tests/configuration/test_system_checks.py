"""System checks for settings values that would otherwise fail only when a request first uses them:
restflow.E001 (the REDIS policy block, the default cache dispatcher) and restflow.E002 (an exact
throttle counting in a cache that is not Redis). The W001-W003 checks are tested with the views."""

import pytest
from django.core.checks import run_checks
from django.urls import path

from restflow.throttling import ExactUserRateThrottle
from restflow.views import AsyncAPIView, AsyncReadOnlyModelViewSet, ActionConfig
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer


class CountedInLocalMemory(ExactUserRateThrottle):
    cache_alias = "default"  # the test settings' default cache is local memory


class CountedInNoAlias(ExactUserRateThrottle):
    cache_alias = "no-such-alias"


class ThrottledView(AsyncAPIView):
    throttle_classes = [CountedInLocalMemory]


class ThrottledPerAction(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    action_configs = {"list": ActionConfig(throttle_classes=[CountedInNoAlias])}


urlpatterns = [
    path("throttled/", ThrottledView.as_view()),
    path("per-action/", ThrottledPerAction.as_view({"get": "list"})),
]


def _errors(check_id):
    return [message for message in run_checks() if message.id == check_id]


@pytest.mark.parametrize(
    ("block", "fragment"),
    [
        ({"CACHE_ON_FAILURE": "ignore"}, "'CACHE_ON_FAILURE'"),
        ({"SOCKET_TIMEOUT": "2"}, "'SOCKET_TIMEOUT'"),
        ({"POOL_SIZE": 0}, "'POOL_SIZE'"),
    ],
)
def test_a_redis_policy_value_that_cannot_work_is_a_check_error(settings, block, fragment):
    settings.RESTFLOW_SETTINGS = {"REDIS": block}
    (error,) = _errors("restflow.E001")
    assert fragment in error.msg


def test_an_unknown_default_dispatcher_is_a_check_error(settings):
    """Left alone it would fail every write under an invalidation rule, inside the write's transaction."""
    settings.RESTFLOW_SETTINGS = {"CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "nonexistent"}}
    (error,) = _errors("restflow.E001")
    assert "DEFAULT_DISPATCHER" in error.msg and "nonexistent" in error.msg


def test_valid_settings_raise_no_error(settings):
    settings.RESTFLOW_SETTINGS = {"REDIS": {"THROTTLE_ON_FAILURE": "deny"}, "CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "inline"}}
    assert _errors("restflow.E001") == []


def test_exact_throttles_outside_redis_are_check_errors(settings):
    settings.ROOT_URLCONF = __name__
    errors = _errors("restflow.E002")
    assert {(error.obj, error.msg.split(" ")[0]) for error in errors} == {
        (ThrottledView, "CountedInLocalMemory"),
        (ThrottledPerAction, "CountedInNoAlias"),
    }


def test_exact_throttles_on_a_redis_alias_pass(settings):
    settings.ROOT_URLCONF = __name__
    settings.CACHES = {
        **settings.CACHES,
        "no-such-alias": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0"},
    }
    assert [error.obj for error in _errors("restflow.E002")] == [ThrottledView]
