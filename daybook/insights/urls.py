from django.urls import path

from daybook.insights import views

app_name = "insights"

urlpatterns = [
    path("logs/<int:case_id>/patterns/", views.log_patterns, name="patterns"),
    path(
        "logs/<int:case_id>/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="acknowledge",
    ),
]
