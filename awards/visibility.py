"""What each person may see of determination and publication: one query function per kind, reused by
every view, export and job. Anything outside answers 404 (or an empty list)."""

from django.db.models import Q

from applications.visibility import applications_for
from portal.models import Programme
from portal.visibility import administered_programmes

from .models import Award
from .models.awards import AWARDED_TIERS
from .permissions import PUBLIC_STATUSES


def determined_programmes_for(user):
    """Programmes whose scores, ranking and tiers the person may see: the ones they administer
    (portal.visibility.administered_programmes). Nobody else, whatever the programme's status:
    expert scores stay internal."""
    return administered_programmes(user).select_related("organiser", "district")


def published_programmes():
    return Programme.objects.filter(status__in=PUBLIC_STATUSES).select_related("organiser")


def report_programmes_for(user):
    """Annual reports: published programmes for everyone, plus an administrator's own."""
    own = determined_programmes_for(user).values("pk")
    return Programme.objects.filter(Q(status__in=PUBLIC_STATUSES) | Q(pk__in=own)).select_related("organiser")


def public_awards():
    """Awarded projects of published programmes: the public list, the verification page."""
    return Award.objects.filter(programme__status__in=PUBLIC_STATUSES, tier__in=AWARDED_TIERS).select_related(
        "programme"
    )


def awards_for(user):
    """Administrators: every award row of their programmes (approved, maybe unpublished). Everyone:
    the awarded projects of published programmes."""
    own = determined_programmes_for(user).values("pk")
    public = Q(programme__status__in=PUBLIC_STATUSES, tier__in=AWARDED_TIERS)
    return Award.objects.filter(public | Q(programme__in=own)).select_related("programme")


def results_for(user):
    """Results of the person's own applications (awarded or not), once their programme is published."""
    return Award.objects.filter(
        programme__status__in=PUBLIC_STATUSES, application__in=applications_for(user).values("pk")
    ).select_related("programme")
