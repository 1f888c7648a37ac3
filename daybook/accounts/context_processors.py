from django.http import HttpRequest
from django.urls import reverse


def _items(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    if not user.is_authenticated:
        return [
            ("What is stalking", reverse("public:stalking")),
            ("Get help", reverse("public:get_help")),
            ("Sign in", reverse("account_login")),
        ]
    items = [("Home", reverse("home"))]
    if user.has_perm("incidents.list_logs"):
        name = "My log" if user.has_perm("incidents.keep_own_log") else "Cases"
        items.append((name, reverse("incidents:log_list")))
    if user.has_perm("police.view_shared_logs"):
        items.append(("Shared logs", reverse("police:shared_list")))
    # A victim follows their own request for support from their home page instead.
    if user.has_perm("casework.view_referrals") and user.is_staff_member:
        items.append(("Referrals", reverse("cases:referrals")))
    if user.has_perm("casework.record_consultation"):
        items.append(("Consultations", reverse("cases:consultations")))
    elif user.has_perm("casework.request_consultation"):
        items.append(("Advice", reverse("cases:consultations")))
    if user.has_perm("insights.view_statistics"):
        items.append(("Statistics", reverse("insights:statistics")))
    if user.has_perm("accounts.manage_team"):
        items.append(("Team", reverse("accounts:teams")))
    if user.has_perm("drafts.keep_drafts"):
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
