"""JSON Web Token authentication: ``JWTAuthentication`` and what its settings name.

``RESTFLOW_SETTINGS["JWT"]`` names this module's ``CacheBlacklistBackend``,
``ModelBlacklistBackend`` and ``default_user_authentication_rule`` by dotted path; the token
classes and ``TokenError`` are here too, as the settings and guides refer to them.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from restflow._sync import in_thread
from restflow.authentication._config import jwt_config
from restflow.authentication.blacklist import BlacklistBackend, CacheBlacklistBackend, ModelBlacklistBackend
from restflow.authentication.builtin import BaseAuthentication
from restflow.authentication.tokens import (
    AccessToken,
    RefreshToken,
    Token,
    TokenError,
    build_jwt_payload,
    decode_token,
    encode_token,
    password_unchanged,
)

__all__ = [
    "AccessToken",
    "BlacklistBackend",
    "CacheBlacklistBackend",
    "JWTAuthentication",
    "ModelBlacklistBackend",
    "RefreshToken",
    "Token",
    "TokenError",
    "build_jwt_payload",
    "check_user",
    "decode_token",
    "default_user_authentication_rule",
    "encode_token",
]


def default_user_authentication_rule(user):
    """May ``user`` (from Django's ``authenticate``) obtain tokens? Not None, and active."""
    return user is not None and user.is_active


def _failed(message, code):
    return exceptions.AuthenticationFailed(message, code=code)


def user_lookup(token):
    """The ORM lookup for the token's user; AuthenticationFailed when the token names none."""
    config = jwt_config()
    try:
        user_id = token.payload[config.USER_ID_CLAIM]
    except KeyError:
        raise _failed(_("Token contained no recognizable user identification."), "token_not_valid") from None
    if isinstance(user_id, bool) or not isinstance(user_id, (int, str)):
        raise _failed(_("Token contained no recognizable user identification."), "token_not_valid")
    return {config.USER_ID_FIELD: user_id}


def check_user(user, token):
    """Refuse a deactivated user (``CHECK_USER_IS_ACTIVE``) and, with ``CHECK_REVOKE_TOKEN``, a
    token issued before the user's password last changed."""
    config = jwt_config()
    if config.CHECK_USER_IS_ACTIVE and not user.is_active:
        raise _failed(_("User is inactive."), "user_inactive")
    if config.CHECK_REVOKE_TOKEN and not password_unchanged(user, token.get(config.REVOKE_TOKEN_CLAIM)):
        raise _failed(_("The user's password has been changed."), "password_changed")
    return user


# What the ORM raises for a claim value the user id field cannot hold.
_BAD_USER_ID = (ValueError, TypeError, ValidationError)


class JWTAuthentication(BaseAuthentication):
    """``Authorization: Bearer <access token>``: the token verified, checked against the
    blacklist, and its user looked up. From async views the token is verified on the loop, and
    the blacklist check and the user lookup share one hop to the sync thread (a backend with its
    own async check, or a subclass's own ``aget_user``, is awaited instead).

    A request without one of ``AUTH_HEADER_TYPES`` is not addressed to it (None: the next
    authenticator is tried). A malformed header, an invalid, expired or revoked token, or a
    missing or inactive user is a 401 with ``WWW-Authenticate``.
    """

    www_authenticate_realm = "api"
    token_class = AccessToken

    def authenticate_header(self, request):
        """The ``WWW-Authenticate`` value of a 401: the first of ``AUTH_HEADER_TYPES``, and the realm."""
        return f'{jwt_config().header_types[0]} realm="{self.www_authenticate_realm}"'

    def get_raw_token(self, request):
        """The token string of the Authorization header, or None when the header is not ours."""
        header = getattr(request, "_request", request).META.get("HTTP_AUTHORIZATION")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() not in jwt_config().header_types_lower:
            return None
        if len(parts) != 2:
            raise _failed(
                _("Authorization header must contain two space-delimited values."), "bad_authorization_header"
            )
        if not parts[1].isascii():
            raise _failed(_("Token contains invalid characters."), "token_not_valid")
        return parts[1]

    def get_validated_token(self, raw):
        """The verified access token; AuthenticationFailed (401) carrying the TokenError's message."""
        try:
            return self.token_class.verify(raw)
        except TokenError as exc:
            raise _failed(str(exc), "token_not_valid") from exc

    def authenticate(self, request):
        raw = self.get_raw_token(request)
        if raw is None:
            return None
        token = self.get_validated_token(raw)
        return self.get_checked_user(token), token

    async def aauthenticate(self, request):
        raw = self.get_raw_token(request)
        if raw is None:
            return None
        token = self.get_validated_token(raw)
        config = jwt_config()
        if self._lookups_share_a_hop(config):
            return await in_thread(self.get_checked_user, token), token
        if config.BLACKLIST_ENABLED and await config.blacklist.ais_blacklisted(token.jti):
            raise _failed(_("Token is blacklisted."), "token_blacklisted")
        return await self.aget_user(token), token

    def _lookups_share_a_hop(self, config):
        """True when neither the blacklist backend's async check nor this class's ``aget_user`` is
        native async code: both would hop to the sync thread, so one hop does both."""
        return (
            type(config.blacklist).ais_blacklisted is BlacklistBackend.ais_blacklisted
            and type(self).aget_user is JWTAuthentication.aget_user
        )

    def get_checked_user(self, token):
        """The blacklist check and the user lookup, with the sync cache and ORM."""
        config = jwt_config()
        if config.BLACKLIST_ENABLED and config.blacklist.is_blacklisted(token.jti):
            raise _failed(_("Token is blacklisted."), "token_blacklisted")
        return self.get_user(token)

    def get_user(self, token):
        """The token's user (sync ORM), checked by ``check_user``."""
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(**user_lookup(token))
        except user_model.DoesNotExist:
            raise _failed(_("User not found."), "user_not_found") from None
        except _BAD_USER_ID:
            raise _failed(_("Token contained no recognizable user identification."), "token_not_valid") from None
        return check_user(user, token)

    async def aget_user(self, token):
        """The token's user (async ORM), checked by ``check_user``."""
        user_model = get_user_model()
        try:
            user = await user_model._default_manager.aget(**user_lookup(token))
        except user_model.DoesNotExist:
            raise _failed(_("User not found."), "user_not_found") from None
        except _BAD_USER_ID:
            raise _failed(_("Token contained no recognizable user identification."), "token_not_valid") from None
        return check_user(user, token)
