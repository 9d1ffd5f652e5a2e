"""ATOMIC_REQUESTS for async views: the request's transaction, opened by restflow's dispatch.

Django refuses ATOMIC_REQUESTS for async views (it cannot wrap a coroutine in
``atomic()``). restflow's view callables are therefore marked exempt for Django, and
dispatch gives the guarantee itself: it hops once to the request's sync thread, opens
``atomic()`` there on every database that asks for it, and runs the whole view back on
the loop through ``async_to_sync``. The async ORM calls and ``sync_to_async`` hops the
view makes return to that thread, so every query of the request joins the transaction.
A response made from an exception (DRF's exception handler, which marks the rollback
for sync views) rolls it back, as an exception that escapes the view does.
"""

import contextlib

from asgiref.sync import async_to_sync
from django.db import connections, transaction


class _DispatchDecides(set):
    """A view callable's ``_non_atomic_requests`` that tells Django to wrap no database.

    Its members are still the databases marked with ``transaction.non_atomic_requests``,
    which dispatch honours.
    """

    def __contains__(self, alias):
        return True


def atomic_by_dispatch(view):
    """Mark a restflow view callable so that Django leaves ATOMIC_REQUESTS to its dispatch."""
    view._non_atomic_requests = _DispatchDecides(getattr(view, "_non_atomic_requests", ()))
    return view


def atomic_databases(view, request):
    """The databases whose ATOMIC_REQUESTS covers this request, as Django would choose them.

    ``transaction.non_atomic_requests`` exempts a database when it marks the view callable
    (in the URLconf), the class's ``dispatch`` (``method_decorator``) or the handler.
    """
    databases = [alias for alias, settings in connections.settings.items() if settings.get("ATOMIC_REQUESTS")]
    if not databases:
        return ()
    handler = getattr(view, request.method.lower(), None)
    resolver_match = getattr(request, "resolver_match", None)
    exempt = set()
    for marked in (getattr(resolver_match, "func", None), type(view).dispatch, handler):
        exempt.update(getattr(marked, "_non_atomic_requests", ()))
    return tuple(alias for alias in databases if alias not in exempt)


def run_atomic(databases, dispatch, /, *args, **kwargs):
    """Await ``dispatch(*args, **kwargs)`` inside one transaction per database (call it in a hop)."""
    with contextlib.ExitStack() as stack:
        for alias in databases:
            stack.enter_context(transaction.atomic(using=alias))
        response = async_to_sync(dispatch)(*args, **kwargs)
        if getattr(response, "exception", False):
            for alias in databases:
                transaction.set_rollback(True, using=alias)
        return response
