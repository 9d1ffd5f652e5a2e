"""Where revoked token ids (``jti``) are kept until their token expires.

``BLACKLIST_BACKEND`` names one: ``CacheBlacklistBackend`` (a shared Django cache),
``ModelBlacklistBackend`` (the ``BlacklistedToken`` table), or a project's own subclass of
``BlacklistBackend``. Each entry outlives its token's expiry by ``LEEWAY``, since a token is
accepted that long after ``exp``. The async methods of a backend that only implements the sync
ones run those in one hop to the sync thread (Django's cache and ORM would hop anyway).
"""

from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured

from restflow._sync import in_thread
from restflow.authentication._config import jwt_config

CACHE_KEY_PREFIX = "restflow:jwt:blacklist:"


def _seconds_left(expires_at):
    """Seconds until ``expires_at`` plus the leeway a token gets past its expiry (at least 1)."""
    remaining = expires_at + jwt_config().leeway - datetime.now(tz=UTC).timestamp()
    return max(1, int(remaining) + 1)


class BlacklistBackend:
    """Storage for revoked token ids. Subclasses implement ``blacklist`` and ``is_blacklisted``;
    the async ``ablacklist``/``ais_blacklisted`` run them in a hop unless overridden natively."""

    def blacklist(self, jti, *, expires_at):
        """Record ``jti`` as revoked until ``expires_at`` (seconds since the epoch); idempotent."""
        raise NotImplementedError(f"{type(self).__name__} must implement blacklist()")

    def is_blacklisted(self, jti):
        """True when ``jti`` is revoked."""
        raise NotImplementedError(f"{type(self).__name__} must implement is_blacklisted()")

    async def ablacklist(self, jti, *, expires_at):
        """``blacklist`` for async code."""
        await in_thread(self.blacklist, jti, expires_at=expires_at)

    async def ais_blacklisted(self, jti):
        """``is_blacklisted`` for async code."""
        return await in_thread(self.is_blacklisted, jti)

    def blacklist_once(self, jti, *, expires_at):
        """Blacklist ``jti``; True when this call did, False when it already was.

        The refresh view relies on it so that one refresh token rotates once. This default
        checks then writes; the shipped backends do it in one atomic step, and a custom backend
        that can should override it.
        """
        if self.is_blacklisted(jti):
            return False
        self.blacklist(jti, expires_at=expires_at)
        return True

    async def ablacklist_once(self, jti, *, expires_at):
        """``blacklist_once`` for async code."""
        return await in_thread(self.blacklist_once, jti, expires_at=expires_at)

    def check(self, config):
        """Raise ImproperlyConfigured when the backend cannot work with ``config`` (at startup)."""


class CacheBlacklistBackend(BlacklistBackend):
    """Revoked ids in the Django cache ``BLACKLIST_CACHE_ALIAS``, each expiring with its token.

    The cache must be shared by every worker process: a local-memory cache would let a token
    revoked on one worker in on the next, so it (and the dummy cache) is refused unless
    ``BLACKLIST_ALLOW_LOCMEM`` says a single process is all there is (tests).
    """

    def _cache(self):
        return caches[jwt_config().BLACKLIST_CACHE_ALIAS]

    def check(self, config):
        alias = config.BLACKLIST_CACHE_ALIAS
        try:
            cache = caches[alias]
        except Exception as exc:
            raise ImproperlyConfigured(
                f"RESTFLOW_SETTINGS['JWT']['BLACKLIST_CACHE_ALIAS'] is {alias!r}, which is not in CACHES ({exc}). "
                "Set the alias of a shared cache (Redis, Memcached)."
            ) from exc
        if isinstance(cache, (LocMemCache, DummyCache)) and not config.BLACKLIST_ALLOW_LOCMEM:
            raise ImproperlyConfigured(
                f"The JWT blacklist cache {alias!r} is {type(cache).__name__}, which each worker process keeps "
                "for itself: a token revoked on one worker would still work on the others. Point "
                "RESTFLOW_SETTINGS['JWT']['BLACKLIST_CACHE_ALIAS'] at a shared cache (Redis, Memcached), use "
                "ModelBlacklistBackend, or set BLACKLIST_ALLOW_LOCMEM=True where one process serves everything."
            )

    def blacklist(self, jti, *, expires_at):
        self._cache().set(CACHE_KEY_PREFIX + jti, 1, timeout=_seconds_left(expires_at))

    def is_blacklisted(self, jti):
        return self._cache().get(CACHE_KEY_PREFIX + jti) is not None

    def blacklist_once(self, jti, *, expires_at):
        return self._cache().add(CACHE_KEY_PREFIX + jti, 1, timeout=_seconds_left(expires_at))


class ModelBlacklistBackend(BlacklistBackend):
    """Revoked ids as ``BlacklistedToken`` rows: durable and queryable. Needs
    ``"restflow.authentication"`` in INSTALLED_APPS and its migration; expired rows stay until
    ``BlacklistedToken.cleanup_expired()`` (or ``acleanup_expired()``) removes them."""

    def _model(self):
        return apps.get_model("restflow_authentication", "BlacklistedToken")

    def check(self, config):
        if not apps.is_installed("restflow.authentication"):
            raise ImproperlyConfigured(
                "ModelBlacklistBackend keeps revoked tokens in a table: add 'restflow.authentication' to "
                "INSTALLED_APPS and run migrate."
            )

    def blacklist(self, jti, *, expires_at):
        self.blacklist_once(jti, expires_at=expires_at)

    def is_blacklisted(self, jti):
        return self._model().objects.filter(jti=jti).exists()

    def blacklist_once(self, jti, *, expires_at):
        expiry = datetime.fromtimestamp(expires_at, tz=UTC) + timedelta(seconds=jwt_config().leeway)
        _, created = self._model().objects.get_or_create(jti=jti, defaults={"expires_at": expiry})
        return created
