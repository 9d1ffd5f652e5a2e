"""URLs for tests/views/test_pipeline.py."""

from django.urls import path

from tests.views import test_pipeline as v

urlpatterns = [
    path("echo/", v.EchoView.as_view()),
    path("<str:version>/versioned/", v.URLVersionView.as_view()),
    path("accept-versioned/", v.AcceptVersionView.as_view()),
    path("session/", v.SessionView.as_view()),
    path("token/", v.TokenView.as_view()),
    path("basic/", v.BasicView.as_view()),
    path("async-auth/", v.AsyncHeaderView.as_view()),
    path("mixed-auth/", v.MixedAuthView.as_view()),
    path("perm/sync/", v.SyncPermView.as_view()),
    path("perm/async/", v.AsyncPermView.as_view()),
    path("perm/and/", v.AndView.as_view()),
    path("perm/or/", v.OrView.as_view()),
    path("perm/not/", v.NotView.as_view()),
    path("perm/model/", v.ModelPermsView.as_view()),
    path("perm/model-token/", v.TokenModelPermsView.as_view()),
    path("objperm/<int:pk>/", v.ObjectPermView.as_view()),
    path("throttle/anon/", v.AnonThrottledView.as_view()),
    path("throttle/user/", v.UserThrottledView.as_view()),
    path("throttle/scoped/", v.ScopedThrottledView.as_view()),
    path("throttle/sync/", v.SyncThrottledView.as_view()),
    path("sync-handler/", v.SyncHandlerView.as_view()),
    path("failing/", v.FailingView.as_view()),
    path("validate/", v.ValidateView.as_view()),
    path("no-serializer/", v.NoSerializerView.as_view()),
    path("instance/", v.InstanceResponseView.as_view()),
    path("paged-instance/", v.PagedInstanceView.as_view()),
    path("split/", v.SplitSerializersView.as_view()),
    path("options/<int:pk>/", v.OptionsView.as_view()),
    path("options-list/", v.OptionsListView.as_view()),
]
