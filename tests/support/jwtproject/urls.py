"""The token views and one JWT-protected view (the guide's ProfileView)."""

from django.urls import path
from rest_framework.response import Response

from restflow.authentication.views import TokenBlacklistView, TokenObtainView, TokenRefreshView
from restflow.views import AsyncAPIView


class ProfileView(AsyncAPIView):
    async def get(self, request):
        return Response({"id": request.user.id, "username": request.user.username})


urlpatterns = [
    path("api/auth/token/", TokenObtainView.as_view()),
    path("api/auth/token/refresh/", TokenRefreshView.as_view()),
    path("api/auth/token/blacklist/", TokenBlacklistView.as_view()),
    path("api/profile/", ProfileView.as_view()),
]
