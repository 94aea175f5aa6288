"""What an expert is told instead of a 404 on its own pages: an expert account not yet entered in
the pool (whom to ask), and a review that has ended with the publication of the results (the
expert's own tasks, read-only; the applications themselves are no longer shown, §5.2). Which
tasks those are is scoring.visibility.ended_assignments_for."""

from portal.models import Organiser, User
from portal.models.users import Role


def organiser_contacts() -> list[tuple[Organiser, list[User]]]:
    """The organisers (主管部门) and their active administrators: they enter experts in the pool."""
    admins = (User.objects.filter(role=Role.ADMINISTRATOR, is_active=True, organiser__isnull=False)
              .select_related("organiser").order_by("organiser__level", "organiser__name", "full_name", "pk"))
    found: dict[int, tuple[Organiser, list[User]]] = {}
    for admin in admins:
        found.setdefault(admin.organiser_id, (admin.organiser, []))[1].append(admin)
    return list(found.values())
