"""Settings for development and tests; ``portal.settings.production`` hardens them for deployment."""

from .base import *  # noqa: F403
