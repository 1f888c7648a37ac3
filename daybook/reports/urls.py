from django.urls import path

from daybook.reports import redaction_views, views

app_name = "reports"

urlpatterns = [
    path("cases/<int:case_id>/reports/", views.reports_home, name="home"),
    path("cases/<int:case_id>/reports/spo/", views.spo, name="spo"),
    path("cases/<int:case_id>/reports/redactions/", redaction_views.redactions, name="redactions"),
    path("cases/<int:case_id>/reports/vps/", views.vps, name="vps"),
    path("cases/<int:case_id>/reports/statement/", views.statement, name="statement"),
    path("cases/<int:case_id>/reports/<int:report_id>/", views.status, name="status"),
    path("cases/<int:case_id>/reports/<int:report_id>/download/", views.download, name="download"),
]
