"""Authentication from async views: any DRF authenticator, without blocking the loop.

An authenticator with ``aauthenticate`` is awaited. DRF's built-in ones (and
restflow's subclasses of them) are handled without a thread hop where they need
no database: session auth reads the user through Django's async ``auser()``, and
basic/token/remote-user auth only hop when the request carries their credentials.
Any other sync authenticator (or a subclass overriding ``authenticate``) runs in
one hop.
"""

from rest_framework import HTTP_HEADER_ENCODING, authentication, exceptions
from rest_framework.request import ForcedAuthentication

from restflow._sync import in_thread


def _has_keyword(request, keyword):
    """True when the Authorization header starts with ``keyword`` (bytes, lower case).

    Reads the WSGI/ASGI environ directly: building ``request.headers`` for this
    costs more than the rest of an anonymous request's authentication.
    """
    header = request._request.META.get("HTTP_AUTHORIZATION")
    if not header:
        return False
    if isinstance(header, str):
        header = header.encode(HTTP_HEADER_ENCODING)
    parts = header.split()
    return bool(parts) and parts[0].lower() == keyword


async def _session_user(authenticator, request):
    django_request = request._request
    auser = getattr(django_request, "auser", None)
    if auser is None:  # no AuthenticationMiddleware: no session user, as in DRF
        return None
    user = await auser()
    if not user or not user.is_active:
        return None
    authenticator.enforce_csrf(request)
    return (user, None)


async def aauthenticate(authenticator, request):
    """Return ``(user, auth)`` or None from ``authenticator`` for ``request``."""
    if hasattr(authenticator, "aauthenticate"):
        return await authenticator.aauthenticate(request)
    return await astock(authenticator, request)


async def astock(authenticator, request):
    """``authenticator.authenticate(request)`` from async code: on the loop when DRF's own method
    needs no database for this request, else in one hop."""
    method = type(authenticator).authenticate
    if method is authentication.SessionAuthentication.authenticate:
        return await _session_user(authenticator, request)
    if method is ForcedAuthentication.authenticate:
        return authenticator.authenticate(request)
    if method is authentication.BasicAuthentication.authenticate and not _has_keyword(request, b"basic"):
        return None
    if method is authentication.TokenAuthentication.authenticate and not _has_keyword(
        request, authenticator.keyword.lower().encode()
    ):
        return None
    if method is authentication.RemoteUserAuthentication.authenticate and not request._request.META.get(
        authenticator.header
    ):
        return None
    return await in_thread(authenticator.authenticate, request)


async def aperform_authentication(request):
    """Authenticate ``request`` with its authenticators in order, as DRF's Request does."""
    for authenticator in request.authenticators:
        try:
            result = await aauthenticate(authenticator, request)
        except Exception:
            request._not_authenticated()
            raise
        if result is not None:
            request._authenticator = authenticator
            request.user, request.auth = result
            return
    request._not_authenticated()


class _Failure(authentication.BaseAuthentication):
    """An authenticator that raises an authentication failure already found."""

    def __init__(self, error):
        self.error = error

    def authenticate(self, request):
        raise self.error


async def aauthenticate_when_read(request):
    """Authenticate ``request`` now, and let a failure surface when its user is first read.

    DRF's lazy authentication (a ``perform_authentication`` override that skips it) runs the
    authenticators when the user is first read; in an async view that read can happen on the
    event loop, where they may not query. So they run here, and a failure is kept for that
    read: the request's authenticators become one that raises it, as DRF would then.
    """
    try:
        await aperform_authentication(request)
    except exceptions.APIException as error:
        del request._user, request._auth
        request.authenticators = (_Failure(error),)
