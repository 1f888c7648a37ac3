from allauth.account.decorators import reauthentication_required
from allauth.account.views import EmailView, SignupView
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from daybook.casework import views as casework_views
from daybook.incidents import views as incidents_views
from daybook.public.views import explain_exit_first

urlpatterns = [
    path("", include("daybook.public.urls")),
    path("home/", casework_views.home, name="home"),
    # The public keys that checkpoints of logs are signed with (docs/operators.md).
    path(
        ".well-known/daybook-signing-keys.json",
        incidents_views.signing_keys,
        name="signing_keys",
    ),
    # Registration shows the Exit this page explanation first, like the self-check.
    path(
        "accounts/signup/",
        login_not_required(explain_exit_first(SignupView.as_view())),
        name="account_signup",
    ),
    # Changing the sign-in e-mail address hands over the account: confirm it's them first.
    path(
        "accounts/email/",
        reauthentication_required(EmailView.as_view(), allow_get=True),
        name="account_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("account/", include("daybook.accounts.urls")),
    path("drafts/", include("daybook.drafts.urls")),
    path("logs/", include("daybook.incidents.urls")),
    path("", include("daybook.risk.urls")),
    path("", include("daybook.reports.urls")),
    path("", include("daybook.sharing.urls")),
    path("", include("daybook.police.urls")),
    path("", include("daybook.imports.urls")),
    path("", include("daybook.insights.urls")),
    path("", include("daybook.casework.urls")),
    path("", include("daybook.erasure.urls")),
    path("", include("daybook.retention.urls")),
    path("", include("daybook.subject_access.urls")),
    path("", include("daybook.health.urls")),
]

handler404 = "daybook.ui.views.not_found"
handler403 = "daybook.ui.views.forbidden"
handler400 = "daybook.ui.views.bad_request"
handler500 = "daybook.ui.views.server_error"
# allauth answers too many sign-in attempts with this, instead of its own bare page.
handler429 = "daybook.ui.views.too_many_requests"
