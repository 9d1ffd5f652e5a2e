"""The request bodies of the token views."""

from django.contrib.auth import get_user_model
from rest_framework import serializers


class TokenObtainSerializer(serializers.Serializer):
    """Credentials: the user model's ``USERNAME_FIELD`` (``username`` by default) and ``password``."""

    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.username_field = get_user_model().USERNAME_FIELD
        self.fields[self.username_field] = serializers.CharField(write_only=True)


class TokenRefreshSerializer(serializers.Serializer):
    """A refresh token to trade for a new access token."""

    refresh = serializers.CharField(write_only=True)


class TokenBlacklistSerializer(serializers.Serializer):
    """A refresh token to revoke."""

    refresh = serializers.CharField(write_only=True)
