"""``SimpleJWTAuthentication``: djangorestframework-simplejwt's authenticator with ``aauthenticate``.

Everything is simplejwt's own: its ``SIMPLE_JWT`` settings, token classes (sliding tokens
included), blacklist app and views. From async views the header is read on the loop, and the
token check (which may query simplejwt's blacklist table) and the user lookup run together in
one hop to the sync thread, so a subclass's ``get_validated_token`` or ``get_user`` is honoured.
Needs the ``simplejwt`` extra.
"""

try:
    from rest_framework_simplejwt.authentication import JWTAuthentication
except ImportError as exc:  # the optional extra
    raise ImportError(
        "restflow.authentication.simplejwt needs djangorestframework-simplejwt: pip install 'restflow-async[simplejwt]'"
    ) from exc

from restflow._sync import in_thread
from restflow.authentication.builtin import BaseAuthentication

__all__ = ["SimpleJWTAuthentication"]


class SimpleJWTAuthentication(BaseAuthentication, JWTAuthentication):
    """simplejwt's ``JWTAuthentication`` (sync path unchanged), usable from async views."""

    async def aauthenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw = self.get_raw_token(header)
        if raw is None:
            return None
        return await in_thread(self._validated_user, raw)

    def _validated_user(self, raw):
        token = self.get_validated_token(raw)
        return self.get_user(token), token
