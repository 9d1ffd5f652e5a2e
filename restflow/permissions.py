"""Permission checks from async views, for any mix of sync and async permission classes.

DRF's classes work as they are. A permission may also define ``async def ahas_permission`` /
``ahas_object_permission``; ``&``, ``|`` and ``~`` build DRF's ``AND``/``OR``/``NOT`` whose
operands are evaluated here one by one, so sync and async operands mix freely.

Every check is one of three kinds:

- inline: DRF's pure checks (``AllowAny``, ``IsAuthenticated``, ``IsAdminUser``,
  ``IsAuthenticatedOrReadOnly`` and the always-true defaults), run on the event loop;
- async: awaited on the loop;
- sync: anything else (it may query the database), run in a ``sync_to_async`` hop.
"""

from asgiref.sync import async_to_sync, sync_to_async
from rest_framework import permissions as drf
from rest_framework.permissions import (  # noqa: F401  (re-exported: import them from here)
    SAFE_METHODS,
    AllowAny,
    DjangoModelPermissions,
    DjangoModelPermissionsOrAnonReadOnly,
    DjangoObjectPermissions,
    IsAdminUser,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)

_INLINE, _SYNC, _ASYNC = range(3)

# Sync methods known to be pure and cheap: run on the loop when a class does not override them.
_INLINE_METHODS = {
    "has_permission": {
        drf.BasePermission.has_permission,
        drf.AllowAny.has_permission,
        drf.IsAuthenticated.has_permission,
        drf.IsAdminUser.has_permission,
        drf.IsAuthenticatedOrReadOnly.has_permission,
    },
    "has_object_permission": {drf.BasePermission.has_object_permission},
}


class BasePermission(drf.BasePermission):
    """A permission whose subclasses may define ``async def ahas_permission`` and
    ``async def ahas_object_permission`` instead of (or besides) the sync methods.

    Async views await the async methods. Plain DRF (sync) views call the sync methods, which
    run the async ones to completion when only those are defined.
    """

    def has_permission(self, request, view):
        if hasattr(self, "ahas_permission"):
            return async_to_sync(self.ahas_permission)(request, view)
        return True

    def has_object_permission(self, request, view, obj):
        if hasattr(self, "ahas_object_permission"):
            return async_to_sync(self.ahas_object_permission)(request, view, obj)
        return True


_INLINE_METHODS["has_permission"].add(BasePermission.has_permission)
_INLINE_METHODS["has_object_permission"].add(BasePermission.has_object_permission)


def _kind(permission, method):
    """How ``permission``'s ``method`` ("has_permission" or "has_object_permission") must run."""
    if isinstance(permission, (drf.AND, drf.OR)):
        methods = [method]
        if isinstance(permission, drf.OR) and method == "has_object_permission":
            methods.append("has_permission")  # OR's object rule also asks each operand's has_permission
        return max(_kind(op, m) for op in (permission.op1, permission.op2) for m in methods)
    if isinstance(permission, drf.NOT):
        return _kind(permission.op1, method)
    if hasattr(permission, "a" + method):
        return _ASYNC
    if getattr(type(permission), method, None) in _INLINE_METHODS[method]:
        return _INLINE
    return _SYNC


async def ahas_permission(permission, request, view):
    """``permission.has_permission(request, view)`` for any permission, from async code."""
    kind = _kind(permission, "has_permission")
    if kind == _INLINE:
        return bool(permission.has_permission(request, view))
    if kind == _SYNC:  # a whole all-sync tree costs one hop
        return bool(await sync_to_async(permission.has_permission)(request, view))
    if isinstance(permission, drf.AND):
        return await ahas_permission(permission.op1, request, view) and await ahas_permission(
            permission.op2, request, view
        )
    if isinstance(permission, drf.OR):
        return await ahas_permission(permission.op1, request, view) or await ahas_permission(
            permission.op2, request, view
        )
    if isinstance(permission, drf.NOT):
        return not await ahas_permission(permission.op1, request, view)
    return bool(await permission.ahas_permission(request, view))


async def ahas_object_permission(permission, request, view, obj):
    """``permission.has_object_permission(request, view, obj)`` for any permission, from async code.

    ``OR`` follows DRF: an operand grants object access only if it grants both its
    ``has_permission`` and its ``has_object_permission``.
    """
    kind = _kind(permission, "has_object_permission")
    if kind == _INLINE:
        return bool(permission.has_object_permission(request, view, obj))
    if kind == _SYNC:
        return bool(await sync_to_async(permission.has_object_permission)(request, view, obj))
    if isinstance(permission, drf.AND):
        return await ahas_object_permission(
            permission.op1, request, view, obj
        ) and await ahas_object_permission(permission.op2, request, view, obj)
    if isinstance(permission, drf.OR):
        for op in (permission.op1, permission.op2):
            if await ahas_permission(op, request, view) and await ahas_object_permission(
                op, request, view, obj
            ):
                return True
        return False
    if isinstance(permission, drf.NOT):
        return not await ahas_object_permission(permission.op1, request, view, obj)
    return bool(await permission.ahas_object_permission(request, view, obj))


async def afirst_denied(permissions, request, view):
    """The first permission (in order) whose ``has_permission`` denies, or None.

    Evaluation stops at the first denial, as in DRF. Consecutive sync permissions share one
    thread hop; pure checks before the first one run on the loop, so a cheap denial costs none.
    """
    return await _first_denied(
        permissions,
        "has_permission",
        lambda permission: permission.has_permission(request, view),
        lambda permission: ahas_permission(permission, request, view),
    )


async def afirst_denied_object(permissions, request, view, obj):
    """The first permission (in order) whose ``has_object_permission`` denies ``obj``, or None."""
    return await _first_denied(
        permissions,
        "has_object_permission",
        lambda permission: permission.has_object_permission(request, view, obj),
        lambda permission: ahas_object_permission(permission, request, view, obj),
    )


async def _first_denied(permissions, method, check, acheck):
    batch = []  # consecutive inline/sync permissions not yet evaluated
    for permission in permissions:
        if _kind(permission, method) != _ASYNC:
            batch.append(permission)
            continue
        denied = await _first_denied_in_batch(batch, method, check)
        if denied is not None:
            return denied
        batch = []
        if not await acheck(permission):
            return permission
    return await _first_denied_in_batch(batch, method, check)


async def _first_denied_in_batch(batch, method, check):
    """Run the inline prefix of ``batch`` on the loop and the rest in at most one hop."""
    kinds = [_kind(permission, method) for permission in batch]
    split = kinds.index(_SYNC) if _SYNC in kinds else len(batch)
    for permission in batch[:split]:
        if not check(permission):
            return permission
    rest = batch[split:]
    if not rest:
        return None
    return await sync_to_async(_first_failing)(rest, check)


def _first_failing(permissions, check):
    return next((permission for permission in permissions if not check(permission)), None)
