"""What an expert is told instead of a 404 on its own pages: an expert account not yet entered in
the pool (whom to ask), and a review that has ended with the publication of the results (the
expert's own tasks, read-only; the applications themselves are no longer shown, §5.2)."""

from django.db.models import Exists, OuterRef

from portal.models import Organiser, Programme, ProgrammeStatus, User
from portal.models.users import Role
from scoring.models import Assignment, AssignmentStatus, ConfidentialityPledge
from scoring.permissions import expert_profile_of
from scoring.services.conflicts import blocking_conflict_subquery

# Once the results are published the review is over: nothing an expert does there counts any more.
ENDED_STATUSES = (ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED)


def organiser_contacts() -> list[tuple[Organiser, list[User]]]:
    """The organisers (主管部门) and their active administrators: they enter experts in the pool."""
    admins = (User.objects.filter(role=Role.ADMINISTRATOR, is_active=True, organiser__isnull=False)
              .select_related("organiser").order_by("organiser__level", "organiser__name", "full_name", "pk"))
    found: dict[int, tuple[Organiser, list[User]]] = {}
    for admin in admins:
        found.setdefault(admin.organiser_id, (admin.organiser, []))[1].append(admin)
    return list(found.values())


def ended_assignments_for(user):
    """The expert's assignments that were in force (active, free of a blocking conflict, the
    pledge signed: what the expert could see during the review) when their programme's review
    ended."""
    profile = expert_profile_of(user)
    if profile is None:
        return Assignment.objects.none()
    pledged = ConfidentialityPledge.objects.filter(expert=profile, programme_id=OuterRef("application__programme_id"))
    return (Assignment.objects.filter(expert=profile, status=AssignmentStatus.ACTIVE,
                                      application__programme__status__in=ENDED_STATUSES)
            .filter(Exists(pledged)).exclude(blocking_conflict_subquery()))


def ended_programmes_for(user):
    """Programmes whose review has ended in which the expert had tasks (newest first)."""
    return Programme.objects.filter(
        Exists(ended_assignments_for(user).filter(application__programme_id=OuterRef("pk")))
    ).order_by("-year", "title")
