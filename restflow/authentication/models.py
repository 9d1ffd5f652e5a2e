"""The table ``ModelBlacklistBackend`` keeps revoked token ids in."""

from datetime import UTC, datetime

from django.db import models


class BlacklistedToken(models.Model):
    """A revoked token, by its ``jti``, kept until ``expires_at`` (its expiry plus the leeway)."""

    jti = models.CharField(max_length=128, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "restflow_authentication"
        verbose_name = "blacklisted token"

    def __str__(self):
        return self.jti

    @classmethod
    def _expired(cls):
        return cls.objects.filter(expires_at__lt=datetime.now(tz=UTC))

    @classmethod
    def cleanup_expired(cls):
        """Delete the rows of tokens that have expired; return how many were deleted."""
        deleted, _ = cls._expired().delete()
        return deleted

    @classmethod
    async def acleanup_expired(cls):
        """``cleanup_expired`` for async code."""
        deleted, _ = await cls._expired().adelete()
        return deleted
