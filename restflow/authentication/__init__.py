"""Authentication for restflow's views: DRF's authenticators with an async surface, and JWT.

``JWTAuthentication``, the token classes, ``TokenError`` and the blacklist backends need PyJWT
(``pip install 'restflow-async[jwt]'``) and load on first use; the token views live in
``restflow.authentication.views`` and the simplejwt adapter in ``restflow.authentication.simplejwt``.
Add ``"restflow.authentication"`` to INSTALLED_APPS for the blacklist table and the startup check
of ``RESTFLOW_SETTINGS["JWT"]``.
"""

from importlib import import_module

from rest_framework.authentication import get_authorization_header

from restflow.authentication._dispatch import aauthenticate, aauthenticate_when_read, aperform_authentication
from restflow.authentication.builtin import (
    BaseAuthentication,
    BasicAuthentication,
    RemoteUserAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow.authentication.serializers import (
    TokenBlacklistSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)

# Names loaded from restflow.authentication.jwt when first read (PyJWT is an optional extra).
_JWT_NAMES = frozenset(
    {
        "AccessToken",
        "BlacklistBackend",
        "CacheBlacklistBackend",
        "JWTAuthentication",
        "ModelBlacklistBackend",
        "RefreshToken",
        "TokenError",
    }
)

__all__ = [
    "AccessToken",
    "BaseAuthentication",
    "BasicAuthentication",
    "BlacklistBackend",
    "CacheBlacklistBackend",
    "JWTAuthentication",
    "ModelBlacklistBackend",
    "RefreshToken",
    "RemoteUserAuthentication",
    "SessionAuthentication",
    "TokenAuthentication",
    "TokenBlacklistSerializer",
    "TokenError",
    "TokenObtainSerializer",
    "TokenRefreshSerializer",
    "aauthenticate",
    "aauthenticate_when_read",
    "aperform_authentication",
    "get_authorization_header",
]


def __getattr__(name):
    if name in _JWT_NAMES:
        return getattr(import_module("restflow.authentication.jwt"), name)
    raise AttributeError(f"module 'restflow.authentication' has no attribute {name!r}")
