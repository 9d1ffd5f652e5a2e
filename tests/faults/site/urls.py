from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("notes", views.NoteViewSet, basename="note")

urlpatterns = [
    path("health/", views.health),
    path("upload/", views.upload),
    path("db/", views.db),
    path("leave-atomic/", views.leave_atomic),
    path("slow/", views.slow),
    path("echo/", views.Echo.as_view()),
    path("greeting/", views.Greeting.as_view()),
    path("board/", views.board),
    path("", include(router.urls)),
]
