"""``RESTFLOW_SETTINGS``: restflow's own settings, read through ``restflow_settings``.

Each section of ``DEFAULTS`` is a dict; a project's ``RESTFLOW_SETTINGS`` overrides keys one by
one (a missing key keeps its default). Values are read lazily and cached until Django sends
``setting_changed`` for ``RESTFLOW_SETTINGS`` (``override_settings`` does). A key restflow does not
know is an error: reading it raises ``AttributeError``, and setting it raises
``ImproperlyConfigured`` naming the key (when restflow's views are imported, and on first read).
"""

import difflib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

__all__ = ["DEFAULTS", "RestflowSettings", "restflow_settings"]

SETTING_NAME = "RESTFLOW_SETTINGS"

DEFAULTS = {
    "JWT": {
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
    },
    "REDIS": {
        "SOCKET_TIMEOUT": 2.0,
        "CONNECT_TIMEOUT": 2.0,
        "POOL_SIZE": 16,
        "POOL_TIMEOUT": 10.0,
        "BREAKER_FAILURES": 3,
        "BREAKER_RESET": 5.0,
        "CACHE_ON_FAILURE": "bypass",
        "THROTTLE_ON_FAILURE": "allow",
    },
    "CACHE_SETTINGS": {
        "MAX_KEY_SUFFIX_LENGTH": 250,
        "HASH_SUFFIX_ON_OVERFLOW": False,
        "KEY_HASH_ALGORITHM": "sha256",
        "DEFAULT_DISPATCHER": "inline",
        "DISPATCHER_RAISE_EXCEPTION": False,
        "DISPATCHER_SETTINGS": {
            "celery": {
                "TASK_NAME": "restflow.caching.tasks.task_run_cache_rules",
                "QUEUE": None,
                "RAISE_EXCEPTION": None,
            },
            "threadpool": {"MAX_WORKERS": 4, "RAISE_EXCEPTION": None},
            "django_rq": {
                "QUEUE": "default",
                "FUNCTION_PATH": "restflow.caching.tasks.run_cache_rules",
                "RAISE_EXCEPTION": None,
            },
            "dramatiq": {
                "QUEUE": "default",
                "ACTOR_NAME": "restflow.task_run_cache_rules",
                "RAISE_EXCEPTION": None,
            },
            "django_q": {
                "CLUSTER": None,
                "GROUP": None,
                "FUNCTION_PATH": "restflow.caching.tasks.run_cache_rules",
                "RAISE_EXCEPTION": None,
            },
            "asyncio": {"RAISE_EXCEPTION": None},
            "inline": {"RAISE_EXCEPTION": None},
        },
    },
}

# Sections whose keys are names chosen by the project (custom dispatchers), not a fixed set.
_OPEN_SECTIONS = {(SETTING_NAME, "CACHE_SETTINGS", "DISPATCHER_SETTINGS")}


def _where(path):
    return path[0] + "".join(f"[{key!r}]" for key in path[1:])


def _unknown_keys(defaults, user, path):
    """Messages for every key of ``user`` (recursively) that ``defaults`` does not have."""
    if not isinstance(user, dict):
        return [f"{_where(path)} must be a dict, not {type(user).__name__}."]
    problems = []
    for key, value in user.items():
        if key not in defaults:
            if tuple(path) in _OPEN_SECTIONS:
                continue
            close = difflib.get_close_matches(str(key), [str(name) for name in defaults], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(map(str, defaults))}."
            problems.append(f"{_where([*path, key])} is not a restflow setting.{hint}")
        elif isinstance(defaults[key], dict):
            problems.extend(_unknown_keys(defaults[key], value, [*path, key]))
    return problems


def _project_settings():
    return getattr(settings, SETTING_NAME, None) or {}


def check_project_settings():
    """Raise ImproperlyConfigured when ``RESTFLOW_SETTINGS`` holds a key restflow does not know."""
    problems = _unknown_keys(DEFAULTS, _project_settings(), [SETTING_NAME])
    if problems:
        raise ImproperlyConfigured(" ".join(problems))


class RestflowSettings:
    """Attribute access to one settings section: the project's value for a key, else the default.

    A key whose default is a dict is itself a ``RestflowSettings``, so access chains
    (``restflow_settings.CACHE_SETTINGS.DISPATCHER_SETTINGS.celery.QUEUE``).
    """

    def __init__(self, defaults, user_settings=None, path=(SETTING_NAME,)):
        self._defaults = defaults
        self._user_settings = user_settings
        self._path = tuple(path)
        self._cached = {}
        self._checked = user_settings is not None

    @property
    def user_settings(self):
        """The project's values for this section (``RESTFLOW_SETTINGS`` itself at the top)."""
        if self._user_settings is not None:
            return self._user_settings
        user = _project_settings()
        if not self._checked:
            check_project_settings()
            self._checked = True
        return user

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._cached:
            return self._cached[name]
        user = self.user_settings
        if name in self._defaults:
            default = self._defaults[name]
        elif tuple(self._path) in _OPEN_SECTIONS and name in user:
            default = {}
        else:
            raise AttributeError(f"{_where([*self._path, name])} is not a restflow setting.")
        if isinstance(default, dict):
            section = user.get(name) or {}
            value = RestflowSettings(dict(section) if not default else default, section, [*self._path, name])
        else:
            value = user.get(name, default)
        self._cached[name] = value
        return value

    def __dir__(self):
        return [*super().__dir__(), *self._defaults]

    def keys(self):
        """The names this section holds: its defaults, and a project's own names in an open section."""
        names = list(self._defaults)
        if tuple(self._path) in _OPEN_SECTIONS:
            names += [name for name in self.user_settings if name not in self._defaults]
        return names

    def to_dict(self):
        """The resolved settings as plain dicts."""
        result = {}
        for name in self.keys():
            value = getattr(self, name)
            result[name] = value.to_dict() if isinstance(value, RestflowSettings) else value
        return result

    def reload(self):
        """Forget cached values: the next read sees the current ``RESTFLOW_SETTINGS``."""
        self._cached.clear()
        self._checked = self._user_settings is not None

    def __repr__(self):
        return f"<RestflowSettings {_where(self._path)}>"


restflow_settings = RestflowSettings(DEFAULTS)


def _reload(*, setting, **kwargs):
    if setting == SETTING_NAME:
        restflow_settings.reload()


setting_changed.connect(_reload)
