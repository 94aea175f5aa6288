"""URLs of the awards app, mounted under /awards/ (namespace "awards")."""

app_name = "awards"
urlpatterns: list = []
