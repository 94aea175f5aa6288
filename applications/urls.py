"""URLs of the applications app, mounted under /applications/ (namespace "applications")."""

app_name = "applications"
urlpatterns: list = []
