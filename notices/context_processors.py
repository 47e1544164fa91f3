from django.utils.functional import SimpleLazyObject

from notices.models import Notice


def unread_notices(request):
    """The header's count of unread notices: one query, made only where a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: Notice.objects.of(user).unread().count())}
