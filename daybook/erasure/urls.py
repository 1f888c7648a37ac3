"""The erasure pages: asking for a case to be erased, approving and cancelling it."""

from django.urls import path

from daybook.erasure import views

app_name = "erasure"

urlpatterns = [
    path("cases/<int:case_id>/erase/", views.erase, name="erase"),
    path("cases/<int:case_id>/erase/<int:erasure_id>/cancel/", views.cancel, name="cancel"),
    path("cases/<int:case_id>/erase/<int:erasure_id>/approve/", views.approve, name="approve"),
]
