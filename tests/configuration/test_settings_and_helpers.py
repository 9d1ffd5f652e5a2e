"""restflow's settings page (guide/settings) and helpers page (guide/helpers), section by section.

Every test is named after its page and section (``test_<section>__<what>``);
``test_every_section_is_walked`` keeps the list whole.
"""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import override_settings
from django.urls import path
from rest_framework.response import Response

from restflow.settings import DEFAULTS, RestflowSettings, restflow_settings
from restflow.views import AsyncAPIView

ROOT = Path(__file__).resolve().parents[2]

SECTIONS = [
    "settings",
    "jwt",
    "cache_settings",
    "reading_a_setting",
    "overriding_in_tests",
    "helpers_type_aliases",
    "helpers_async_sync_bridge",
]

JWT_DEFAULTS = {
    "SIGNING_KEY": None,
    "VERIFYING_KEY": None,
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ISSUER": None,
    "AUDIENCE": None,
    "USER_ID_CLAIM": "user_id",
    "USER_ID_FIELD": "id",
    "USER_ID_FIELD_ALLOWLIST": ("id", "pk", "uuid", "username", "email"),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "BLACKLIST_ENABLED": True,
    "BLACKLIST_BACKEND": "restflow.authentication.jwt.CacheBlacklistBackend",
    "BLACKLIST_CACHE_ALIAS": "default",
    "BLACKLIST_ALLOW_LOCMEM": False,
    "ROTATE_REFRESH_TOKENS": True,
    "LEEWAY": 0,
    "CHECK_USER_IS_ACTIVE": True,
    "CHECK_REVOKE_TOKEN": False,
    "REVOKE_TOKEN_CLAIM": "hash_password",
    "USER_AUTHENTICATION_RULE": "restflow.authentication.jwt.default_user_authentication_rule",
}

CACHE_DEFAULTS = {
    "MAX_KEY_SUFFIX_LENGTH": 250,
    "HASH_SUFFIX_ON_OVERFLOW": False,
    "KEY_HASH_ALGORITHM": "sha256",
    "DEFAULT_DISPATCHER": "inline",
    "DISPATCHER_RAISE_EXCEPTION": False,
    "DISPATCHER_SETTINGS": {
        "celery": {"TASK_NAME": "restflow.caching.tasks.task_run_cache_rules", "QUEUE": None, "RAISE_EXCEPTION": None},
        "threadpool": {"MAX_WORKERS": 4, "RAISE_EXCEPTION": None},
        "django_rq": {"QUEUE": "default", "FUNCTION_PATH": "restflow.caching.tasks.run_cache_rules", "RAISE_EXCEPTION": None},
        "dramatiq": {"QUEUE": "default", "ACTOR_NAME": "restflow.task_run_cache_rules", "RAISE_EXCEPTION": None},
        "django_q": {
            "CLUSTER": None, "GROUP": None, "FUNCTION_PATH": "restflow.caching.tasks.run_cache_rules", "RAISE_EXCEPTION": None
        },
        "asyncio": {"RAISE_EXCEPTION": None},
        "inline": {"RAISE_EXCEPTION": None},
    },
}


class SettingsView(AsyncAPIView):
    """Answers with what a request sees in restflow_settings."""

    permission_classes = []

    async def get(self, request):
        return Response(
            {
                "algorithm": restflow_settings.JWT.ALGORITHM,
                "dispatcher": restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER,
                "celery_queue": restflow_settings.CACHE_SETTINGS.DISPATCHER_SETTINGS.celery.QUEUE,
            }
        )


urlpatterns = [path("settings/", SettingsView.as_view())]


# Settings (the page's opening: one setting, lazy, cached, reset on setting_changed)


# docs/settings.md, the REDIS table (docs/deploying.md says what each failure does).
REDIS_DEFAULTS = {
        "SOCKET_TIMEOUT": 2.0,
        "CONNECT_TIMEOUT": 2.0,
        "POOL_SIZE": 16,
        "POOL_TIMEOUT": 10.0,
    "BREAKER_FAILURES": 3,
    "BREAKER_RESET": 5.0,
    "CACHE_ON_FAILURE": "bypass",
    "THROTTLE_ON_FAILURE": "allow",
}


def test_settings__defaults_mirror_the_documented_shape():
    assert set(DEFAULTS) == {"JWT", "CACHE_SETTINGS", "REDIS"}
    assert restflow_settings.to_dict() == {"JWT": JWT_DEFAULTS, "CACHE_SETTINGS": CACHE_DEFAULTS, "REDIS": REDIS_DEFAULTS}


def test_settings__values_are_cached_until_setting_changed(settings):
    first = restflow_settings.JWT
    assert restflow_settings.JWT is first
    settings.RESTFLOW_SETTINGS = {"JWT": {"ALGORITHM": "HS384"}}
    assert restflow_settings.JWT is not first
    assert restflow_settings.JWT.ALGORITHM == "HS384"


def test_settings__reading_an_unknown_key_raises_attribute_error():
    with pytest.raises(AttributeError, match="ALGORTHM"):
        restflow_settings.JWT.ALGORTHM
    with pytest.raises(AttributeError, match="NOPE"):
        restflow_settings.NOPE
    assert not hasattr(restflow_settings, "CACHE")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"JWT": {"ALGORTHM": "HS512"}}, r"RESTFLOW_SETTINGS\['JWT'\]\['ALGORTHM'\] is not a restflow setting. Did you mean 'ALGORITHM'\?"),
        ({"CACHE_SETTING": {}}, r"RESTFLOW_SETTINGS\['CACHE_SETTING'\] is not a restflow setting. Did you mean 'CACHE_SETTINGS'\?"),
        ({"CACHE": {}}, r"RESTFLOW_SETTINGS\['CACHE'\] is not a restflow setting. Known keys: JWT, REDIS, CACHE_SETTINGS."),
        ({"JWT": "HS256"}, r"RESTFLOW_SETTINGS\['JWT'\] must be a dict, not str"),
        (
            {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"celery": {"QUEUES": "x"}}}},
            r"\['celery'\]\['QUEUES'\] is not a restflow setting. Did you mean 'QUEUE'\?",
        ),
    ],
)
def test_settings__a_key_restflow_does_not_know_fails_loudly(settings, value, message):
    settings.RESTFLOW_SETTINGS = value
    with pytest.raises(ImproperlyConfigured, match=message):
        restflow_settings.JWT


def test_settings__a_misspelt_key_stops_the_project_when_views_load():
    code = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=['django.contrib.auth', 'django.contrib.contenttypes', 'rest_framework'], "
        "RESTFLOW_SETTINGS={'JWT': {'LIFETIME': 5}}); django.setup(); import restflow.views"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured: RESTFLOW_SETTINGS['JWT']['LIFETIME'] is not a restflow setting." in result.stderr


# JWT


def test_jwt__every_key_and_default():
    assert {name: getattr(restflow_settings.JWT, name) for name in JWT_DEFAULTS} == JWT_DEFAULTS


@override_settings(RESTFLOW_SETTINGS={"JWT": {"SIGNING_KEY": "k", "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15)}})
def test_jwt__a_project_value_wins_the_rest_stay_default():
    assert restflow_settings.JWT.SIGNING_KEY == "k"
    assert restflow_settings.JWT.ACCESS_TOKEN_LIFETIME == timedelta(minutes=15)
    assert restflow_settings.JWT.ALGORITHM == "HS256"


# CACHE_SETTINGS


def test_cache_settings__every_key_and_default():
    assert restflow_settings.CACHE_SETTINGS.to_dict() == CACHE_DEFAULTS


@override_settings(
    RESTFLOW_SETTINGS={
        "CACHE_SETTINGS": {
            "KEY_HASH_ALGORITHM": str.upper,
            "DISPATCHER_SETTINGS": {"celery": {"QUEUE": "cache"}, "mine": {"URL": "redis://x", "RETRIES": 2}},
        }
    }
)
def test_cache_settings__dispatcher_blocks_merge_and_custom_dispatchers_are_allowed():
    cache = restflow_settings.CACHE_SETTINGS
    assert cache.KEY_HASH_ALGORITHM is str.upper
    assert cache.DISPATCHER_SETTINGS.celery.QUEUE == "cache"
    assert cache.DISPATCHER_SETTINGS.celery.TASK_NAME == "restflow.caching.tasks.task_run_cache_rules"
    assert cache.DISPATCHER_SETTINGS.threadpool.MAX_WORKERS == 4
    assert cache.DISPATCHER_SETTINGS.mine.URL == "redis://x"
    assert cache.DISPATCHER_SETTINGS.to_dict()["mine"] == {"URL": "redis://x", "RETRIES": 2}
    with pytest.raises(AttributeError):
        cache.DISPATCHER_SETTINGS.other


# Reading a setting


def test_reading_a_setting__attribute_access_all_the_way_down():
    assert restflow_settings.JWT.ALGORITHM == "HS256"
    assert restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER == "inline"
    assert restflow_settings.CACHE_SETTINGS.DISPATCHER_SETTINGS.celery.QUEUE is None
    assert isinstance(restflow_settings.CACHE_SETTINGS.DISPATCHER_SETTINGS, RestflowSettings)


def test_reading_a_setting__to_dict_is_plain_and_json_ready_for_diagnostics():
    resolved = restflow_settings.to_dict()
    assert type(resolved["CACHE_SETTINGS"]["DISPATCHER_SETTINGS"]["celery"]) is dict
    json.dumps(resolved, default=str)


def test_reading_a_setting__a_private_instance_reads_its_own_dict():
    own = RestflowSettings(DEFAULTS, {"JWT": {"ALGORITHM": "ES256"}})
    assert own.JWT.ALGORITHM == "ES256"
    assert restflow_settings.JWT.ALGORITHM == "HS256"


# Overriding in tests


@override_settings(
    RESTFLOW_SETTINGS={
        "JWT": {"ACCESS_TOKEN_LIFETIME": timedelta(seconds=30)},
        "CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "celery"},
    },
)
def test_overriding_in_tests__the_documented_decorator():
    assert restflow_settings.JWT.ACCESS_TOKEN_LIFETIME == timedelta(seconds=30)
    assert restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER == "celery"
    assert restflow_settings.JWT.REFRESH_TOKEN_LIFETIME == timedelta(days=1)


def test_overriding_in_tests__the_override_replaces_the_projects_value_defaults_fill_in(settings):
    settings.RESTFLOW_SETTINGS = {"JWT": {"ISSUER": "shop", "AUDIENCE": "web"}}
    assert restflow_settings.JWT.AUDIENCE == "web"
    with override_settings(RESTFLOW_SETTINGS={"JWT": {"ISSUER": "tests"}}):
        assert restflow_settings.JWT.ISSUER == "tests"
        assert restflow_settings.JWT.AUDIENCE is None  # the project's section is replaced, not merged
    assert restflow_settings.JWT.AUDIENCE == "web"


@pytest.mark.urls(__name__)
async def test_overriding_in_tests__a_request_sees_the_override(client):
    assert json.loads((await client.get("/settings/")).content) == {
        "algorithm": "HS256", "dispatcher": "inline", "celery_queue": None
    }
    with override_settings(
        RESTFLOW_SETTINGS={
            "JWT": {"ALGORITHM": "RS256"},
            "CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "asyncio", "DISPATCHER_SETTINGS": {"celery": {"QUEUE": "q"}}},
        }
    ):
        assert json.loads((await client.get("/settings/")).content) == {
            "algorithm": "RS256", "dispatcher": "asyncio", "celery_queue": "q"
        }
    assert json.loads((await client.get("/settings/")).content)["algorithm"] == "HS256"


# Helpers: type aliases


def test_helpers_type_aliases__plain_strings_at_run_time():
    from restflow.helpers import BlankableString, Email, IPAddress

    for alias, name in [(Email, "Email"), (IPAddress, "IPAddress"), (BlankableString, "BlankableString")]:
        assert alias.__name__ == name and alias.__supertype__ is str
        assert alias("x") == "x" and type(alias("x")) is str


# Helpers: async / sync bridge


async def test_helpers_async_sync_bridge__maybe_await():
    from restflow.helpers import maybe_await

    async def coroutine_function():
        return 2

    assert await maybe_await(1) == 1
    assert await maybe_await(coroutine_function()) == 2


def test_helpers_async_sync_bridge__require_sync_closes_and_names_the_alternative():
    from restflow.helpers import require_sync

    async def user_callback():
        raise AssertionError("never runs")

    assert require_sync(5, async_alternative="auser_callback") == 5
    coroutine = user_callback()
    with pytest.raises(TypeError, match="auser_callback"):
        require_sync(coroutine, async_alternative="auser_callback")
    assert coroutine.cr_frame is None  # closed: no "never awaited" warning, never runs


def test_helpers_async_sync_bridge__run_sync():
    from restflow.helpers import run_sync

    async def user_callback():
        return "done"

    assert run_sync("plain") == "plain"
    assert run_sync(user_callback()) == "done"


def test_every_section_is_walked():
    names = [name for name in globals() if name.startswith("test_")]
    missing = [section for section in SECTIONS if not any(name.startswith(f"test_{section}__") for name in names)]
    assert missing == []
