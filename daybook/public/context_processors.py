from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    is_staff = bool(user is not None and user.is_authenticated and user.is_staff_member)
    return {
        "service_name": settings.DAYBOOK_SERVICE_NAME,
        "service_phone": settings.DAYBOOK_SERVICE_PHONE,
        "service_email": settings.DAYBOOK_SERVICE_EMAIL,
        "service_hours": settings.DAYBOOK_SERVICE_HOURS,
        "exit_url": settings.DAYBOOK_EXIT_URL,
        # Exit this page is on every page a victim or the public can see.
        "show_exit": not is_staff,
    }
