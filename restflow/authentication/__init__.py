"""Authentication for restflow's views: DRF's authenticators with an async surface, and JWT.

``JWTAuthentication``, the token classes and views, ``TokenError`` and the blacklist backends need
PyJWT (``pip install 'restflow-async[jwt]'``) and load on first use (the views from
``restflow.authentication.views``); the simplejwt adapter lives in ``restflow.authentication.simplejwt``.
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

# Names loaded when first read, by module (PyJWT is an optional extra).
_LAZY_NAMES = {
    **dict.fromkeys(
        (
            "AccessToken",
            "BlacklistBackend",
            "CacheBlacklistBackend",
            "JWTAuthentication",
            "ModelBlacklistBackend",
            "RefreshToken",
            "TokenError",
        ),
        "restflow.authentication.jwt",
    ),
    **dict.fromkeys(("TokenBlacklistView", "TokenObtainView", "TokenRefreshView"), "restflow.authentication.views"),
}

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
    "TokenBlacklistView",
    "TokenError",
    "TokenObtainSerializer",
    "TokenObtainView",
    "TokenRefreshSerializer",
    "TokenRefreshView",
    "aauthenticate",
    "aauthenticate_when_read",
    "aperform_authentication",
    "get_authorization_header",
]


def __getattr__(name):
    if name in _LAZY_NAMES:
        return getattr(import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'restflow.authentication' has no attribute {name!r}")
