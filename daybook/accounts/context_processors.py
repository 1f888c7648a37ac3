from django.http import HttpRequest
from django.urls import reverse

from daybook.accounts.models import Role


def _items(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    if not user.is_authenticated:
        return [
            ("What is stalking", reverse("public:stalking")),
            ("Get help", reverse("public:get_help")),
            ("Sign in", reverse("account_login")),
        ]
    items = [("Home", reverse("home"))]
    if user.role == Role.VICTIM:
        items.append(("My log", reverse("incidents:log_list")))
    elif user.role in (Role.ADVOCATE, Role.SERVICE_MANAGER):
        items.append(("Cases", reverse("incidents:log_list")))
        items.append(("Referrals", reverse("cases:referrals")))
        items.append(("Consultations", reverse("cases:consultations")))
    elif user.role in (Role.PARTNER_REFERRER, Role.POLICE_LIAISON):
        if user.role == Role.POLICE_LIAISON:
            items.append(("Shared logs", reverse("police:shared_list")))
        items.append(("Referrals", reverse("cases:referrals")))
        items.append(("Advice", reverse("cases:consultations")))
    if user.role in (Role.SERVICE_MANAGER, Role.COMMISSIONER_VIEWER):
        items.append(("Statistics", reverse("insights:statistics")))
    if user.role in (Role.SERVICE_MANAGER, Role.ADMINISTRATOR):
        items.append(("Team", reverse("accounts:teams")))
    if user.role not in (Role.COMMISSIONER_VIEWER, Role.ADMINISTRATOR):
        items.append(("Drafts", reverse("drafts:list")))  # what they started writing
    items.append(("Account", reverse("accounts:security")))
    items.append(("Sign out", reverse("account_logout")))
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    """The service navigation for the person's role, with the current section marked."""
    if not hasattr(request, "user"):
        return {"navigation": [], "home_url": "/"}
    path = request.path
    home = reverse("home")

    def is_current(href: str) -> bool:
        return path == href or (href not in ("/", home) and path.startswith(href))

    items = [
        {"text": text, "href": href, "active": is_current(href)} for text, href in _items(request)
    ]
    return {"navigation": items, "home_url": home if request.user.is_authenticated else "/"}
