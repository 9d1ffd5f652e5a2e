"""URLs for tests/views/test_generic_views.py."""

from django.urls import path

from tests.views import test_generic_views as v

ROUTES = {
    "create": v.CreateView,
    "list": v.ListView,
    "retrieve": v.RetrieveView,
    "destroy": v.DestroyView,
    "update": v.UpdateView,
    "list-create": v.ListCreateView,
    "retrieve-update": v.RetrieveUpdateView,
    "retrieve-destroy": v.RetrieveDestroyView,
    "retrieve-update-destroy": v.RetrieveUpdateDestroyView,
}

urlpatterns = [
    # <str:pk> so that malformed keys reach the view, which must answer 404.
    path(f"g/{name}/{'<str:pk>/' if name in v.DETAIL else ''}", view.as_view())
    for name, view in ROUTES.items()
]

HOOK_VIEWS = {"sync-hooks": v.SyncHookView, "async-hooks": v.AsyncHookView, "default-hooks": v.DefaultHookRaisesView}
for name, view in HOOK_VIEWS.items():
    for suffix, raise_after in (("", None), ("-api", "api"), ("-crash", "crash")):
        urlpatterns += [
            path(f"g/{name}{suffix}/", view.as_view(raise_after=raise_after)),
            path(f"g/{name}{suffix}/<int:pk>/", view.as_view(raise_after=raise_after)),
        ]

urlpatterns += [
    path("g/url-products/", v.URLProductListCreate.as_view()),
    path("g/url-products/<int:pk>/", v.URLProductDetail.as_view(), name="generic-product-detail"),
    path("g/filtered/", v.FilteredList.as_view()),
    path("g/filtered/<int:pk>/", v.FilteredDetail.as_view()),
    path("g/by-sku/<str:sku>/", v.BySkuView.as_view()),
    path("g/by-code/<str:code>/", v.ByCodeView.as_view()),
    path("g/in-category/<str:category>/", v.InCategoryView.as_view()),
    path("g/detail/<int:pk>/", v.DetailSerializerView.as_view()),
    path("g/reviews/", v.ReviewCreateView.as_view()),
    path("g/mixins/", v.AllMixinsView.as_view()),
    path("g/mixins/<int:pk>/", v.AllMixinsView.as_view()),
    path("g/split-create/", v.ResponseSerializerView.as_view()),
]
