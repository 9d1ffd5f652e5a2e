"""URLs of the test project; test modules add their own with pytest's ``urls`` marker."""

urlpatterns = []
