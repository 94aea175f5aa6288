"""URLs of the scoring app, mounted under /scoring/ (namespace "scoring")."""

app_name = "scoring"
urlpatterns: list = []
