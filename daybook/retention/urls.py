"""The retention pages of a service's manager."""

from django.urls import path

from daybook.retention import views

app_name = "retention"

urlpatterns = [
    path("retention/", views.due, name="due"),
    path("retention/<int:review_id>/keep/", views.keep, name="keep"),
    path("retention/<int:review_id>/erase/", views.erase, name="erase"),
    path("retention/settings/", views.settings, name="settings"),
]
