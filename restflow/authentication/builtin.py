"""DRF's authenticators with an async ``aauthenticate``: same classes, same answers, no blocked loop.

Each class is DRF's own (its sync ``authenticate`` unchanged) with restflow's ``BaseAuthentication``
mixed in. From async views, session authentication reads the user through Django's ``auser()``;
basic, token and remote-user authentication return None on the loop when the request does not
carry their credentials, and otherwise run DRF's lookup (with the password check) in one hop to
the sync thread. A subclass's own ``authenticate`` or ``authenticate_credentials`` is honoured.
"""

from rest_framework import authentication

from restflow._sync import in_thread
from restflow.authentication._dispatch import astock


class BaseAuthentication(authentication.BaseAuthentication):
    """Base of restflow's authenticators: DRF's, plus ``aauthenticate``, which by default runs the
    sync ``authenticate`` in one hop. Override ``aauthenticate`` when the lookup can be async."""

    async def aauthenticate(self, request):
        """``(user, auth)`` for ``request``, None when it is not addressed to this authenticator."""
        return await in_thread(self.authenticate, request)


class _Stock(BaseAuthentication):
    async def aauthenticate(self, request):
        return await astock(self, request)


class BasicAuthentication(_Stock, authentication.BasicAuthentication):
    """HTTP Basic authentication (username and password on every request)."""


class SessionAuthentication(_Stock, authentication.SessionAuthentication):
    """Django's session (the login cookie), with DRF's CSRF check."""


class TokenAuthentication(_Stock, authentication.TokenAuthentication):
    """DRF's authtoken keys (``Authorization: Token <key>``); needs ``rest_framework.authtoken``."""


class RemoteUserAuthentication(_Stock, authentication.RemoteUserAuthentication):
    """The user named by the web server or proxy in ``request.META[header]`` (``REMOTE_USER``)."""
