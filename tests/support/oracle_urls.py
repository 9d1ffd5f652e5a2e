"""The oracle's URLs: the same blog under /drf/ (DRF), /flow/ (restflow) and /port/ (DRF code on restflow).

Each side is its own URL namespace; NamespaceVersioning makes each side's hyperlinks point at itself.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tests.support.oracleapp import views_drf, views_flow, views_port

SIDES = {"drf": views_drf, "flow": views_flow, "port": views_port}


def side_urls(views):
    router = DefaultRouter()
    router.register("posts", views.PostViewSet, basename="post")
    router.register("tags", views.TagViewSet, basename="tag")
    router.register("comments", views.CommentViewSet, basename="comment")
    return router.urls + [
        path("attachments/", views.AttachmentList.as_view(), name="attachment-list"),
        path("attachments/<int:pk>/", views.AttachmentDetail.as_view(), name="attachment-detail"),
        path("stats/", views.Stats.as_view(), name="stats"),
    ]


urlpatterns = [path(f"{name}/", include((side_urls(views), name), namespace=name)) for name, views in SIDES.items()]
