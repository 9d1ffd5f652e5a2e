"""A URLconf with action_configs mistakes, for restflow's system checks."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet, AsyncReadOnlyModelViewSet
from tests.support.compat_urls import NoteSerializer
from tests.support.compatapp.models import Note

SHARED = {"list": ActionConfig(serializer_class=NoteSerializer), "create": ActionConfig()}


class TypoViewSet(AsyncModelViewSet):
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    action_configs = {"lst": ActionConfig(serializer_class=NoteSerializer)}


class ReadWriteNotes(AsyncModelViewSet):
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    action_configs = SHARED


class ReadOnlyNotes(AsyncReadOnlyModelViewSet):
    """Shares the read-write viewset's mapping; its 'create' entry is reported, not fatal."""

    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    action_configs = SHARED


class NotAViewSet(AsyncAPIView):
    action_configs = {"get": ActionConfig()}


router = DefaultRouter()
router.register("typo", TypoViewSet, basename="typo")
router.register("rw", ReadWriteNotes, basename="rw")
router.register("ro", ReadOnlyNotes, basename="ro")

urlpatterns = [path("", include(router.urls)), path("plain/", NotAViewSet.as_view())]
