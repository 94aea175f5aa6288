"""Views of the awards app: they translate HTTP into service calls and nothing more."""
