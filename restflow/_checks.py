"""System checks (``manage.py check``, runserver, the test runner) for routed restflow views.

Registered when this module is imported: by the ``restflow`` app (``restflow.apps``) before
Django takes its list of checks, and by ``restflow.viewsets``. It imports nothing of restflow's
(no cycle with the viewsets it judges). They walk the root URLconf: a class that is never routed
(an abstract base sharing its ``action_configs`` with subclasses) is not judged.

- ``restflow.W001``: an ``action_configs`` key names an action the routed viewset does not
  define, neither a method nor an ``@action``'s ``url_name`` (a typo, or a mapping shared with
  a read-only viewset): that entry is never used.
- ``restflow.W002``: a routed view that is not a viewset sets ``action_configs``: only
  viewsets read it.
- ``restflow.W003``: the settings say the site is served behind a proxy (``SECURE_PROXY_SSL_HEADER``,
  ``USE_X_FORWARDED_HOST`` or ``USE_X_FORWARDED_PORT``) but DRF's ``NUM_PROXIES`` is unset: DRF's
  throttles then take a client's identity from ``X-Forwarded-For`` as the client sent it, and
  restflow's exact throttles, ignoring the header, see every client as the proxy.
- ``restflow.E001``: a ``RESTFLOW_SETTINGS`` value that would fail requests only when first used:
  the ``REDIS`` policy block, or a ``CACHE_SETTINGS["DEFAULT_DISPATCHER"]`` no dispatcher answers to
  (every write under an invalidation rule would fail).
- ``restflow.E002``: a routed view throttled by one of restflow's exact throttles whose ``cache_alias``
  is not a Redis cache (every throttled request would fail).
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings

from restflow import _redis
from restflow._exact_throttle import ExactRateThrottleMixin
from restflow.caching.dispatchers.base import check_dispatcher
from restflow.caching.hashing import cache_setting

_PROXY_SETTINGS = ("SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT")


def _routed_classes(patterns):
    """The view classes behind ``patterns`` (DRF's ``as_view`` marks its callables with ``cls``)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routed_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            cls = getattr(pattern.callback, "cls", None)
            if isinstance(cls, type):
                yield cls


def _action_config_messages(cls):
    configs = getattr(cls, "action_configs", None)
    if not configs:
        return []
    if not _reads_action_configs(cls):
        return [
            checks.Warning(
                f"{cls.__name__} sets action_configs, which only viewsets read; it has no effect here.",
                hint="Set the options as class attributes, or make the view a restflow viewset.",
                obj=cls,
                id="restflow.W002",
            )
        ]
    return [
        checks.Warning(
            f"action_configs has an entry for '{action}', an action {cls.__name__} does not define; "
            "the entry is never used.",
            hint="Correct the key to one of the viewset's actions (list, retrieve, create, update, "
            "partial_update, destroy, an @action method's name, or 'metadata' for OPTIONS).",
            obj=cls,
            id="restflow.W001",
        )
        for action in configs
        if action != "metadata" and not callable(getattr(cls, action, None)) and action not in _url_names(cls)
    ]


def _url_names(cls):
    """The ``url_name`` of each ``@action``: restflow's docs let it key ``action_configs`` too."""
    return {getattr(extra, "url_name", None) for extra in cls.get_extra_actions()}


def _reads_action_configs(cls):
    """True for a restflow viewset: its MRO holds ``restflow.viewsets.ActionConfigMixin`` (found by
    name, so that this module need not import the viewsets, which register nothing)."""
    return any(
        klass.__name__ == "ActionConfigMixin" and klass.__module__ == "restflow.viewsets" for klass in cls.__mro__
    )


@checks.register(checks.Tags.urls)
def check_action_configs(app_configs=None, **kwargs):
    """restflow.W001 and W002 for every view class the root URLconf routes."""
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    messages = []
    for cls in dict.fromkeys(_routed_classes(get_resolver().url_patterns)):
        messages.extend(_action_config_messages(cls))
    return messages


@checks.register(checks.Tags.security)
def check_num_proxies(app_configs=None, **kwargs):
    """restflow.W003: a proxied deployment without ``NUM_PROXIES``."""
    proxied = [name for name in _PROXY_SETTINGS if getattr(settings, name, None)]
    if not proxied or api_settings.NUM_PROXIES is not None:
        return []
    return [
        checks.Warning(
            f"The settings say requests come through a proxy ({', '.join(proxied)}), but "
            "REST_FRAMEWORK['NUM_PROXIES'] is not set: DRF's throttles take each client's identity from "
            "X-Forwarded-For as the client sent it (anyone can pick a new one per request), and restflow's "
            "exact throttles, which ignore that header, count every client as the proxy's address.",
            hint="Set REST_FRAMEWORK['NUM_PROXIES'] to the number of proxies in front of the server "
            "that append to X-Forwarded-For (1 for a single load balancer); docs/deploying.md, 'Behind a proxy'.",
            id="restflow.W003",
        )
    ]


@checks.register()
def check_settings_values(app_configs=None, **kwargs):
    """restflow.E001: settings values that cannot work, found now rather than by the first request."""
    problems = []
    try:
        _redis.policy()
    except ImproperlyConfigured as exc:
        problems.append((str(exc), "Correct RESTFLOW_SETTINGS['REDIS'] as docs/settings.md describes."))
    try:
        check_dispatcher(cache_setting("DEFAULT_DISPATCHER"))
    except (ValueError, ImproperlyConfigured) as exc:
        problems.append(
            (
                f"RESTFLOW_SETTINGS['CACHE_SETTINGS']['DEFAULT_DISPATCHER']: {exc}",
                "Name a registered dispatcher, or install the engine it needs.",
            )
        )
    return [checks.Error(message, hint=hint, id="restflow.E001") for message, hint in problems]


def _throttle_classes(cls):
    """The throttle classes a routed view uses: its own, and those its action_configs set."""
    yield from getattr(cls, "throttle_classes", None) or ()
    for config in (getattr(cls, "action_configs", None) or {}).values():
        yield from getattr(config, "throttle_classes", None) or ()


@checks.register(checks.Tags.urls)
def check_exact_throttles(app_configs=None, **kwargs):
    """restflow.E002: an exact throttle whose cache alias is not a Redis cache."""
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    messages = []
    for cls in dict.fromkeys(_routed_classes(get_resolver().url_patterns)):
        for throttle in dict.fromkeys(_throttle_classes(cls)):
            if not (isinstance(throttle, type) and issubclass(throttle, ExactRateThrottleMixin)):
                continue
            alias = throttle.cache_alias
            if alias in settings.CACHES and _redis.redis_url(alias) is not None:
                continue
            messages.append(
                checks.Error(
                    f"{throttle.__name__} on {cls.__name__} counts in cache alias '{alias}', which is not a "
                    "Redis cache: every throttled request would fail.",
                    hint="Point the throttle's cache_alias at a django.core.cache.backends.redis.RedisCache "
                    "(or django-redis) alias in CACHES.",
                    obj=cls,
                    id="restflow.E002",
                )
            )
    return messages
