"""Permission classes and checks for async views, for any mix of sync and async permissions.

DRF's classes work as they are. restflow's ``BasePermission`` adds ``async def ahas_permission`` /
``ahas_object_permission`` (by default the sync methods, in a hop); a subclass may define either
or both. The built-ins (``AllowAny``, ``IsAuthenticated`` ...) are DRF's with that async surface.
``&``, ``|`` and ``~`` build ``AND``/``OR``/``NOT`` whose operands are evaluated one by one, so sync
and async operands mix freely (DRF's own combinators are evaluated the same way).

Every check is one of three kinds:

- inline: DRF's pure checks (``AllowAny``, ``IsAuthenticated``, ``IsAdminUser``,
  ``IsAuthenticatedOrReadOnly`` and the always-true defaults), run on the event loop;
- async: an own ``ahas_permission``/``ahas_object_permission``, awaited on the loop;
- sync: anything else (it may query the database), run in a ``sync_to_async`` hop.
"""

from asgiref.sync import async_to_sync, sync_to_async
from rest_framework import permissions as drf
from rest_framework.permissions import SAFE_METHODS

from restflow._compat import register_compat_paths
from restflow._memo import per_class
from restflow._sync import prefers_async

__all__ = [
    "AND",
    "NOT",
    "OR",
    "SAFE_METHODS",
    "AllowAny",
    "BasePermission",
    "DjangoModelPermissions",
    "DjangoModelPermissionsOrAnonReadOnly",
    "DjangoObjectPermissions",
    "IsAdminUser",
    "IsAuthenticated",
    "IsAuthenticatedOrReadOnly",
    "has_object_permission",
    "has_permission",
]

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


class _Combinable(drf.OperationHolderMixin):
    """``&``, ``|`` and ``~`` on permission classes build restflow's AND, OR and NOT."""

    def __and__(self, other):
        return _Pair(AND, self, other)

    def __or__(self, other):
        return _Pair(OR, self, other)

    def __rand__(self, other):
        return _Pair(AND, other, self)

    def __ror__(self, other):
        return _Pair(OR, other, self)

    def __invert__(self):
        return _Single(NOT, self)


class _Pair(_Combinable, drf.OperandHolder):
    pass


class _Single(_Combinable, drf.SingleOperandHolder):
    pass


class _PermissionMeta(_Combinable, drf.BasePermissionMetaclass):
    pass


class BasePermission(drf.BasePermission, metaclass=_PermissionMeta):
    """A permission with an async surface: ``ahas_permission`` and ``ahas_object_permission``.

    Async views await them. By default they run the sync methods in a hop; define them
    with ``async def`` to check natively. On a sync (DRF) view, a permission that defines
    only the async method still decides: the sync method runs it to completion rather
    than allowing every request (restflow's docs called that case a no-op).
    """

    def has_permission(self, request, view):
        if _own_async(type(self), "has_permission"):
            return async_to_sync(self.ahas_permission)(request, view)
        return True

    def has_object_permission(self, request, view, obj):
        if _own_async(type(self), "has_object_permission"):
            return async_to_sync(self.ahas_object_permission)(request, view, obj)
        return True

    async def ahas_permission(self, request, view):
        """True when the request may proceed (default: ``has_permission`` in a hop)."""
        return await sync_to_async(self.has_permission)(request, view)

    async def ahas_object_permission(self, request, view, obj):
        """True when the request may act on ``obj`` (default: ``has_object_permission`` in a hop)."""
        return await sync_to_async(self.has_object_permission)(request, view, obj)


_DEFAULT_ASYNC = {BasePermission.ahas_permission, BasePermission.ahas_object_permission}
_INLINE_METHODS["has_permission"].add(BasePermission.has_permission)
_INLINE_METHODS["has_object_permission"].add(BasePermission.has_object_permission)


def _own_async(cls, method):
    """True when ``cls`` answers ``method`` through its own async variant (one no lower in the MRO)."""
    return prefers_async(cls, "a" + method, method) and getattr(cls, "a" + method) not in _DEFAULT_ASYNC


class AllowAny(drf.AllowAny, BasePermission):
    """Allows every request."""

    async def ahas_permission(self, request, view):
        return True


class IsAuthenticated(drf.IsAuthenticated, BasePermission):
    """Allows authenticated users only."""

    async def ahas_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class IsAdminUser(drf.IsAdminUser, BasePermission):
    """Allows staff users (``is_staff``) only."""

    async def ahas_permission(self, request, view):
        return bool(request.user and request.user.is_staff)


class IsAuthenticatedOrReadOnly(drf.IsAuthenticatedOrReadOnly, BasePermission):
    """Allows safe methods to everyone, other methods to authenticated users."""

    async def ahas_permission(self, request, view):
        return bool(request.method in SAFE_METHODS or (request.user and request.user.is_authenticated))


class DjangoModelPermissions(drf.DjangoModelPermissions, BasePermission):
    """Django's model permissions per HTTP method; the check may query, so it runs in a hop."""


class DjangoModelPermissionsOrAnonReadOnly(drf.DjangoModelPermissionsOrAnonReadOnly, BasePermission):
    """DjangoModelPermissions, with read-only access for anonymous users."""


class DjangoObjectPermissions(drf.DjangoObjectPermissions, BasePermission):
    """Django's object permissions (e.g. django-guardian) on top of the model ones, in a hop."""


# The built-ins' async methods are their pure sync checks: evaluate those inline.
for _builtin in (AllowAny, IsAuthenticated, IsAdminUser, IsAuthenticatedOrReadOnly):
    _DEFAULT_ASYNC.add(_builtin.ahas_permission)
del _builtin


class AND(drf.AND):
    """``A & B``: both must allow; stops at the first denial. Operands may be sync or async."""

    async def ahas_permission(self, request, view):
        return await ahas_permission(self, request, view)

    async def ahas_object_permission(self, request, view, obj):
        return await ahas_object_permission(self, request, view, obj)


class OR(drf.OR):
    """``A | B``: either may allow; stops at the first grant. For an object, an operand grants
    only if both its ``has_permission`` and ``has_object_permission`` allow, as in DRF."""

    async def ahas_permission(self, request, view):
        return await ahas_permission(self, request, view)

    async def ahas_object_permission(self, request, view, obj):
        return await ahas_object_permission(self, request, view, obj)


class NOT(drf.NOT):
    """``~A``: the operand's verdict inverted."""

    async def ahas_permission(self, request, view):
        return await ahas_permission(self, request, view)

    async def ahas_object_permission(self, request, view, obj):
        return await ahas_object_permission(self, request, view, obj)


def has_permission(permission, request, view):
    """``permission``'s verdict from async code: a bool for a pure check, else an awaitable of one.

    ``await maybe_await(has_permission(...))`` (or ``inspect.isawaitable``) serves both.
    """
    if _kind(permission, "has_permission") == _INLINE:
        return bool(permission.has_permission(request, view))
    return ahas_permission(permission, request, view)


def has_object_permission(permission, request, view, obj):
    """``has_permission`` for an object: a bool for a pure check, else an awaitable of one."""
    if _kind(permission, "has_object_permission") == _INLINE:
        return bool(permission.has_object_permission(request, view, obj))
    return ahas_object_permission(permission, request, view, obj)


def _kind(permission, method):
    """How ``permission``'s ``method`` ("has_permission" or "has_object_permission") must run."""
    if isinstance(permission, (drf.AND, drf.OR)):
        methods = [method]
        if isinstance(permission, drf.OR) and method == "has_object_permission":
            methods.append("has_permission")  # OR's object rule also asks each operand's has_permission
        return max(_kind(op, m) for op in (permission.op1, permission.op2) for m in methods)
    if isinstance(permission, drf.NOT):
        return _kind(permission.op1, method)
    return _class_kind(type(permission), method)


@per_class
def _class_kind(cls, method):
    """A permission class's kind for ``method``: it depends on the class's methods alone, and looking
    them up through the MRO costs more than the check (a class that goes away takes its entry)."""
    if _own_async(cls, method):
        return _ASYNC
    if getattr(cls, method, None) in _INLINE_METHODS[method]:
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
        return await ahas_object_permission(permission.op1, request, view, obj) and await ahas_object_permission(
            permission.op2, request, view, obj
        )
    if isinstance(permission, drf.OR):
        for op in (permission.op1, permission.op2):
            if await ahas_permission(op, request, view) and await ahas_object_permission(op, request, view, obj):
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
    kinds = [_kind(permission, method) for permission in permissions]
    if _ASYNC not in kinds and _SYNC not in kinds:  # all pure checks: on the loop, in order
        return next((permission for permission in permissions if not check(permission)), None)
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


register_compat_paths(__name__)
