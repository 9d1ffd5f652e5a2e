"""The token views: obtain a pair, refresh (with rotation), and blacklist (logout).

None of them authenticates the request or checks permissions; each answers a bad or revoked
token with a 401 and ``WWW-Authenticate``, and a malformed body with a 400. Password checks run in
one hop to the sync thread, so hashing never blocks the event loop.
"""

from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from restflow._sync import in_thread
from restflow.apiview import AsyncAPIView
from restflow.authentication._config import jwt_config
from restflow.authentication.jwt import JWTAuthentication
from restflow.authentication.serializers import (
    TokenBlacklistSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from restflow.authentication.tokens import AccessToken, RefreshToken, TokenError

__all__ = ["TokenBlacklistView", "TokenObtainView", "TokenRefreshView"]


class TokenView(AsyncAPIView):
    """What the token views share: no authentication or permissions, 401s with ``WWW-Authenticate``."""

    authentication_classes = ()
    permission_classes = ()

    def get_authenticate_header(self, request):
        return JWTAuthentication().authenticate_header(request)

    def verified_refresh_token(self, raw):
        try:
            return RefreshToken.verify(raw)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from exc


class TokenObtainView(TokenView):
    """POST credentials, get ``{"access", "refresh"}``.

    The user comes from Django's ``authenticate()`` (every backend in AUTHENTICATION_BACKENDS),
    and must pass ``USER_AUTHENTICATION_RULE``.
    """

    serializer_class = TokenObtainSerializer

    async def post(self, request, *args, **kwargs):
        serializer = await self.avalidated_serializer()
        username_field = get_user_model().USERNAME_FIELD
        credentials = {
            username_field: serializer.validated_data[username_field],
            "password": serializer.validated_data["password"],
        }
        user = await in_thread(authenticate, request, **credentials)
        if not jwt_config().rule(user):
            raise exceptions.AuthenticationFailed(
                _("No active account found with the given credentials"), code="no_active_account"
            )
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(AccessToken.for_user(user)), "refresh": str(refresh)})


class TokenRefreshView(TokenView):
    """POST ``{"refresh"}``, get ``{"access"}``, or ``{"access", "refresh"}`` with ``ROTATE_REFRESH_TOKENS``.

    The refresh token must verify, its user must still exist and pass the user checks, and it must
    not be blacklisted. When rotating with the blacklist on, the old token is blacklisted in the
    same step that checks it, so a refresh token rotates once: a replayed one is a 401.
    """

    serializer_class = TokenRefreshSerializer

    async def post(self, request, *args, **kwargs):
        serializer = await self.avalidated_serializer()
        refresh = self.verified_refresh_token(serializer.validated_data["refresh"])
        await JWTAuthentication().aget_user(refresh)  # 401 for a deleted, inactive or revoked user
        config = jwt_config()
        if config.BLACKLIST_ENABLED:
            blacklisted = (
                not await config.blacklist.ablacklist_once(refresh.jti, expires_at=refresh.exp)
                if config.ROTATE_REFRESH_TOKENS
                else await config.blacklist.ais_blacklisted(refresh.jti)
            )
            if blacklisted:
                raise exceptions.AuthenticationFailed(_("Token is blacklisted."), code="token_blacklisted")
        data = {"access": str(refresh.access_token)}
        if config.ROTATE_REFRESH_TOKENS:
            data["refresh"] = str(refresh.rotate())
        return Response(data)


class TokenBlacklistView(TokenView):
    """POST ``{"refresh"}``: the refresh token is blacklisted until it expires; 204.

    Blacklisting a token already blacklisted is a 401, as refreshing with it would be.
    """

    serializer_class = TokenBlacklistSerializer

    async def post(self, request, *args, **kwargs):
        serializer = await self.avalidated_serializer()
        refresh = self.verified_refresh_token(serializer.validated_data["refresh"])
        config = jwt_config()
        if not config.BLACKLIST_ENABLED:
            raise ImproperlyConfigured(
                "TokenBlacklistView needs RESTFLOW_SETTINGS['JWT']['BLACKLIST_ENABLED'] = True: with the "
                "blacklist off, a blacklisted token would still be accepted."
            )
        if not await config.blacklist.ablacklist_once(refresh.jti, expires_at=refresh.exp):
            raise exceptions.AuthenticationFailed(_("Token is blacklisted."), code="token_blacklisted")
        return Response(status=status.HTTP_204_NO_CONTENT)
