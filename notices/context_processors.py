from django.utils.functional import SimpleLazyObject

from notices.models import Notice
from shared import caching


def unread_notices(request):
    """The header's count of unread notices, made only where a page shows it, and kept in the cache until a
    notice is written or read (the notices' data version, read with the session): a page read again costs no
    query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return caching.cached(
            "unread-notices",
            user.pk,
            compute=lambda: Notice.objects.of(user).unread().count(),
            topics=(caching.NOTICES,),
            timeout=caching.FRAGMENT_TIMEOUT,
        )

    return {"unread_notices": SimpleLazyObject(count)}
