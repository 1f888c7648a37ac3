from django.urls import path

from daybook.sharing import views

app_name = "sharing"

urlpatterns = [
    path("cases/<int:case_id>/sharing/", views.sharing, name="case"),
    path("cases/<int:case_id>/sharing/check/", views.check, name="check"),
    path("cases/<int:case_id>/sharing/<int:share_id>/revoke/", views.revoke, name="revoke"),
]
