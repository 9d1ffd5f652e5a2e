"""Counting hops to the sync thread (``SyncToAsync`` calls) during a request and inside the view."""

import contextlib
import contextvars

from asgiref.sync import SyncToAsync

from restflow.apiview import AsyncAPIView

_in_view = contextvars.ContextVar("in_view", default=False)


@contextlib.contextmanager
def count_hops(monkeypatch):
    """Count ``SyncToAsync.__call__`` (one hop each) while the block runs.

    Returns ``{"request": [...], "view": [...]}``: the names of the functions sent to a
    thread during the whole request (Django's middleware included) and during the view's
    dispatch only (what restflow controls).
    """
    hops = {"request": [], "view": []}
    original_call = SyncToAsync.__call__
    original_dispatch = AsyncAPIView.dispatch

    async def counting_call(self, *args, **kwargs):
        name = getattr(self.func, "__qualname__", None) or type(self.func).__qualname__
        hops["request"].append(name)
        if _in_view.get():
            hops["view"].append(name)
        return await original_call(self, *args, **kwargs)

    async def marked_dispatch(self, request, *args, **kwargs):
        token = _in_view.set(True)
        try:
            return await original_dispatch(self, request, *args, **kwargs)
        finally:
            _in_view.reset(token)

    with monkeypatch.context() as patch:
        patch.setattr(SyncToAsync, "__call__", counting_call)
        patch.setattr(AsyncAPIView, "dispatch", marked_dispatch)
        yield hops
