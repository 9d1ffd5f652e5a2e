from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("things", views.ThingViewSet, basename="thing")

urlpatterns = [
    path("sync/", views.sync_view),
    path("async/", views.async_view),
    path("db/", views.db_view),
    path("db-async/", views.db_async_view),
    path("upload/", views.upload_view),
    path("sleep/", views.sleep_view),
    path("stream/sync/", views.stream_sync),
    path("stream/async/", views.stream_async),
    path("file/", views.file_view),
    path("boom/", views.boom),
    path("boom-async/", views.boom_async),
    path("teapot/", views.teapot),
    path("background/", views.background_view),
    path("drf/", views.DRFView.as_view()),
    path("api/", include(router.urls)),
]

handler404 = views.handler404
handler500 = views.handler500
