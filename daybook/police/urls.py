from django.urls import path

from daybook.police import views

app_name = "police"

urlpatterns = [
    path("shared/", views.shared_list, name="shared_list"),
    path("shared/<int:share_id>/", views.shared_log, name="shared_log"),
    path(
        "shared/<int:share_id>/entries/<int:entry_id>/",
        views.shared_entry,
        name="shared_entry",
    ),
    path(
        "shared/<int:share_id>/evidence/<int:evidence_id>/view/",
        views.shared_evidence_view,
        name="shared_evidence_view",
    ),
    path(
        "shared/<int:share_id>/evidence/<int:evidence_id>/download/",
        views.shared_evidence_download,
        name="shared_evidence_download",
    ),
    path(
        "shared/<int:share_id>/reports/<int:report_id>/", views.shared_report, name="shared_report"
    ),
    path(
        "shared/<int:share_id>/reports/<int:report_id>/download/",
        views.shared_report_download,
        name="shared_report_download",
    ),
]
