"""URLs for tests/views/test_bad_input_and_faults.py."""

from django.urls import path

from tests.views import test_bad_input_and_faults as v

urlpatterns = [
    path("f/products/", v.ProductsView.as_view()),
    # <str:pk> so that malformed keys reach the view, which must answer 404.
    path("f/products/<str:pk>/", v.ProductDetailView.as_view()),
    path("f/cursor-products/", v.CursorProductsView.as_view()),
    path("f/no-unique/", v.NoUniqueCreateView.as_view()),
    path("f/echo/", v.EchoDataView.as_view()),
    path("f/queryset-response/", v.QuerysetResponseView.as_view()),
]
