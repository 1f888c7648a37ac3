from django.urls import path

from daybook.insights import statistics_views, views

app_name = "insights"

urlpatterns = [
    path("statistics/", statistics_views.service_statistics, name="statistics"),
    path("statistics/download.csv", statistics_views.statistics_csv, name="statistics_csv"),
    path("statistics/download.pdf", statistics_views.statistics_pdf, name="statistics_pdf"),
    path("logs/<int:case_id>/patterns/", views.log_patterns, name="patterns"),
    path(
        "logs/<int:case_id>/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="acknowledge",
    ),
]
