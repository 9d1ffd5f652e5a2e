"""Views for the DRF-compatibility tests: code as a DRF user migrating to restflow writes it."""

from django.db import transaction
from django.urls import include, path
from django.utils.decorators import method_decorator
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.versioning import AcceptHeaderVersioning

from restflow._serializing import asave
from restflow.views import AsyncAPIView, AsyncModelViewSet, AsyncReadOnlyModelViewSet
from tests.support.compatapp.models import Note


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "title", "slug", "body", "word_count", "author", "hidden"]
        read_only_fields = ["slug", "word_count", "author"]


class NoteViewSet(AsyncModelViewSet):
    queryset = Note.objects.all()
    serializer_class = NoteSerializer


class SyncHooksViewSet(NoteViewSet):
    """DRF's sync write hooks, left as they were written for DRF."""

    def perform_create(self, serializer):
        serializer.save(author="sync-create")

    def perform_update(self, serializer):
        serializer.save(author="sync-update")

    def perform_destroy(self, instance):
        instance.hidden = True
        instance.save()


class BothHooksViewSet(NoteViewSet):
    """Both spellings on one class: the async one wins."""

    def perform_create(self, serializer):
        serializer.save(author="sync")

    async def aperform_create(self, serializer):
        await asave(serializer, author="async")


class AsyncHooksViewSet(NoteViewSet):
    async def aperform_create(self, serializer):
        await asave(serializer, author="async-base")


class SyncOverAsyncViewSet(AsyncHooksViewSet):
    """A subclass's sync override is more specific than its base's async one."""

    def perform_create(self, serializer):
        serializer.save(author="sync-subclass")


class SyncHookRaisesViewSet(NoteViewSet):
    def perform_create(self, serializer):
        serializer.save(author="half")
        raise ValidationError({"author": ["refused after the save"]})


class QueryingQuerysetViewSet(AsyncReadOnlyModelViewSet):
    """A sync get_queryset that runs a query, as DRF code often does."""

    serializer_class = NoteSerializer

    def get_queryset(self):
        visible = list(Note.objects.filter(hidden=False).values_list("pk", flat=True))
        return Note.objects.filter(pk__in=visible)


class WriteThenFailViewSet(NoteViewSet):
    """Writes through the create action, then fails: ATOMIC_REQUESTS must undo the write."""

    async def create(self, request, *args, **kwargs):
        response = await super().create(request, *args, **kwargs)
        if request.data.get("fail") == "api":
            raise ValidationError({"fail": ["after the write"]})
        if request.data.get("fail") == "crash":
            raise RuntimeError("after the write")
        return response

    @action(detail=False, methods=["post"])
    def sync_write(self, request):
        Note.objects.create(title="sync")
        raise ValidationError({"fail": ["after the write"]})

    @transaction.non_atomic_requests
    @action(detail=False, methods=["post"])
    async def unguarded(self, request):
        await Note.objects.acreate(title="kept")
        raise ValidationError({"fail": ["after the write"]})


class WriteThenFailView(AsyncAPIView):
    async def post(self, request):
        await Note.objects.acreate(title="kept")
        raise ValidationError({"fail": ["after the write"]})


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class NonAtomicDispatchView(WriteThenFailView):
    """Exempt the DRF way: the decorator on dispatch."""


class PlainView(AsyncAPIView):
    async def get(self, request):
        return Response({"hello": "world"})


class PostingPlainView(PlainView):
    """A plain view that takes a body and has no serializer."""

    async def post(self, request):
        return Response(request.data)


class VersionedPlainView(PlainView):
    versioning_class = AcceptHeaderVersioning


router = DefaultRouter()
router.register("notes", NoteViewSet, basename="note")
router.register("sync-hooks", SyncHooksViewSet, basename="sync-hooks")
router.register("both-hooks", BothHooksViewSet, basename="both-hooks")
router.register("sync-over-async", SyncOverAsyncViewSet, basename="sync-over-async")
router.register("hook-raises", SyncHookRaisesViewSet, basename="hook-raises")
router.register("querying", QueryingQuerysetViewSet, basename="querying")
router.register("write-then-fail", WriteThenFailViewSet, basename="write-then-fail")

urlpatterns = [
    path("c/", include(router.urls)),
    path("c/plain/", PlainView.as_view()),
    path("c/plain-post/", PostingPlainView.as_view()),
    path("c/versioned/", VersionedPlainView.as_view()),
    path("c/write-then-fail-view/", WriteThenFailView.as_view()),
    path("c/non-atomic-dispatch/", NonAtomicDispatchView.as_view()),
    path("c/non-atomic-urlconf/", transaction.non_atomic_requests(WriteThenFailView.as_view())),
]
