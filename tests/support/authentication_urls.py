"""Views and URLs the authentication tests call: the token views and views written from the guides."""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView as DRFAPIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenObtainSlidingView

from restflow.authentication import (
    BasicAuthentication,
    JWTAuthentication,
    RemoteUserAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow.authentication.simplejwt import SimpleJWTAuthentication
from restflow.authentication.views import TokenBlacklistView, TokenObtainView, TokenRefreshView
from restflow.views import APIView, AsyncAPIView


def _who(request):
    return Response(
        {
            "id": request.user.id,
            "username": request.user.username,
            "authenticator": type(request.successful_authenticator).__name__,
            "auth": type(request.auth).__name__,
        }
    )


class ProfileView(AsyncAPIView):
    """guide/authentication/index.md, "Combining authenticators"."""

    authentication_classes = [JWTAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)


class JWTOnlyView(AsyncAPIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)


class SyncJWTView(APIView):
    """A sync view: JWTAuthentication's sync ``authenticate`` path."""

    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return _who(request)


class DRFJWTView(DRFAPIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return _who(request)


class BasicView(AsyncAPIView):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)


class TokenView(AsyncAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)


class SessionView(AsyncAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)

    async def post(self, request):
        return _who(request)


class ProxyRemoteUserAuthentication(RemoteUserAuthentication):
    """guide/authentication/built-in.md, "REMOTE_USER from an SSO proxy"."""

    header = "HTTP_X_FORWARDED_USER"


class RemoteView(AsyncAPIView):
    authentication_classes = [ProxyRemoteUserAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)


class SimpleJWTView(AsyncAPIView):
    """guide/authentication/simplejwt.md, "Usage"."""

    authentication_classes = [SimpleJWTAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return _who(request)


class SyncSimpleJWTView(APIView):
    authentication_classes = [SimpleJWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return _who(request)


urlpatterns = [
    path("api/simplejwt/token/", TokenObtainPairView.as_view()),
    path("api/simplejwt/sliding/", TokenObtainSlidingView.as_view()),
    path("api/simplejwt/", SimpleJWTView.as_view()),
    path("api/simplejwt-sync/", SyncSimpleJWTView.as_view()),
    path("api/auth/token/", TokenObtainView.as_view(), name="token-obtain"),
    path("api/auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("api/auth/token/blacklist/", TokenBlacklistView.as_view(), name="token-blacklist"),
    path("api/profile/", ProfileView.as_view()),
    path("api/jwt/", JWTOnlyView.as_view()),
    path("api/jwt-sync/", SyncJWTView.as_view()),
    path("api/jwt-drf/", DRFJWTView.as_view()),
    path("api/basic/", BasicView.as_view()),
    path("api/token/", TokenView.as_view()),
    path("api/session/", SessionView.as_view()),
    path("api/remote/", RemoteView.as_view()),
]
