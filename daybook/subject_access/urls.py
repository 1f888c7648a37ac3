"""The subject_access pages: a person's copy of their data and their leaving, under their
account; a manager's copy for a request made by letter, under the case."""

from django.urls import path

from daybook.subject_access import views

app_name = "subject_access"

urlpatterns = [
    path("account/copy/", views.mine, name="mine"),
    path("account/copy/<int:copy_id>/", views.mine_status, name="mine_status"),
    path("account/copy/<int:copy_id>/download/", views.mine_download, name="mine_download"),
    path("account/leave/", views.leave, name="leave"),
    path("account/leave/cancel/", views.leave_cancel, name="leave_cancel"),
    path("cases/<int:case_id>/subject-access/", views.case_copies, name="case"),
    path(
        "cases/<int:case_id>/subject-access/withhold/<str:uid>/",
        views.withhold,
        name="withhold",
    ),
    path(
        "cases/<int:case_id>/subject-access/<int:letter_id>/", views.case_status, name="case_status"
    ),
    path(
        "cases/<int:case_id>/subject-access/<int:letter_id>/download/",
        views.case_download,
        name="case_download",
    ),
]
