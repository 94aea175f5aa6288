"""Views of the shared core: they only translate HTTP into service calls and visibility queries."""
