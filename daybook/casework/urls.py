from django.urls import path, register_converter

from daybook.casework import views
from daybook.casework.sections import SECTIONS


class SectionConverter:
    """Matches only the slugs of the sections there are, so a case section's route is explicit:
    no other case URL can be taken for a section, whatever order the URL modules are included in."""

    regex = "|".join(SECTIONS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SectionConverter, "section")

app_name = "cases"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_record, name="record"),
    path("cases/<int:case_id>/details/", views.case_details, name="details"),
    path("cases/<int:case_id>/safe-contact/", views.case_safe_contact, name="safe_contact"),
    path("cases/<int:case_id>/status/", views.case_status, name="status"),
    path("cases/<int:case_id>/perpetrators/", views.perpetrator_add, name="perpetrator_add"),
    path("cases/<int:case_id>/allocate/", views.case_allocate, name="allocate"),
    path("cases/<int:case_id>/consent/", views.consent, name="consent"),
    path(
        "cases/<int:case_id>/consent/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("cases/<int:case_id>/support/", views.my_support, name="my_support"),
    path(
        "cases/<int:case_id>/orders/<int:order_id>/breaches/",
        views.order_breaches,
        name="order_breaches",
    ),
    path(
        "cases/<int:case_id>/orders/<int:order_id>/breaches/<int:breach_id>/remove/",
        views.order_breach_remove,
        name="order_breach_remove",
    ),
    path("cases/<int:case_id>/<section:slug>/", views.section, name="section"),
    path(
        "cases/<int:case_id>/<section:slug>/<int:record_id>/", views.section, name="section_record"
    ),
    path("refer-yourself/", views.refer_yourself, name="refer_yourself"),
    path("refer-yourself/sent/", views.refer_yourself_sent, name="refer_yourself_sent"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral"),
    path("referrals/<int:referral_id>/sent/", views.referral_sent, name="referral_sent"),
    path("referrals/<int:referral_id>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:referral_id>/decline/", views.referral_decline, name="referral_decline"),
    path(
        "referrals/<int:referral_id>/withdraw/", views.referral_withdraw, name="referral_withdraw"
    ),
    path("consultations/", views.consultations, name="consultations"),
    path(
        "consultations/<int:consultation_id>/advice/",
        views.consultation_advise,
        name="consultation_advise",
    ),
]
