from django.urls import path

from daybook.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.log_list, name="log_list"),
    path("start/", views.log_start, name="log_start"),
    path("new-case/", views.case_open, name="case_open"),
    path("<int:case_id>/", views.log, name="log"),
    path("<int:case_id>/verify/", views.log_verify, name="log_verify"),
    path("<int:case_id>/download.csv", views.log_download, name="log_download"),
    path("<int:case_id>/receipt/", views.log_receipt, name="log_receipt"),
    path("<int:case_id>/record/", views.record, name="record"),
    path("<int:case_id>/drafts/<int:draft_id>/", views.record, name="draft"),
    path("<int:case_id>/entries/<int:entry_id>/", views.entry, name="entry"),
    path("<int:case_id>/entries/<int:entry_id>/amend/", views.amend, name="amend"),
    path("<int:case_id>/entries/<int:entry_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "<int:case_id>/entries/<int:entry_id>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/preview/",
        views.evidence_preview,
        name="evidence_preview",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/withdraw/",
        views.evidence_withdraw,
        name="evidence_withdraw",
    ),
]
