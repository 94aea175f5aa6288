"""Submitted versions and what changed between any two of them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from ..services.versions import diff_versions
from ..visibility import applications_for


@login_required
def version_list(request, pk):
    app = get_object_or_404(applications_for(request.user).select_related("programme", "organisation"), pk=pk)
    versions = list(app.versions.select_related("created_by").order_by("number"))
    comments = app.return_comments.select_related("author", "version")
    return render(request, "applications/versions.html", {
        "application": app, "versions": versions, "comments": comments,
    })


@login_required
def version_diff(request, pk):
    app = get_object_or_404(applications_for(request.user).select_related("programme", "organisation"), pk=pk)
    versions = {v.number: v for v in app.versions.select_related("created_by")}
    numbers = sorted(versions)
    old_n = _number(request.GET.get("from"), numbers[-2] if len(numbers) > 1 else None)
    new_n = _number(request.GET.get("to"), numbers[-1] if numbers else None)
    old, new = versions.get(old_n), versions.get(new_n)
    changes = diff_versions(old, new) if old and new else None
    return render(request, "applications/diff.html", {
        "application": app, "versions": [versions[n] for n in numbers], "old": old, "new": new, "changes": changes,
    })


def _number(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
