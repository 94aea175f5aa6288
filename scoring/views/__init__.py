"""Views of the scoring app. Administrator pages answer 404 to everyone else."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from portal.permissions import is_administrator

# The joins of a programme looked up for an administrator's page (portal.visibility.
# administered_programmes): the page header shows its organiser and district.
PROGRAMME_HEADER = ("organiser", "district")


def administrators_only(view):
    """Signed in and an administrator (or superuser); anyone else gets 404, so nothing leaks."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
