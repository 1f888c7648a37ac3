from django.urls import path

from daybook.imports import views

app_name = "imports"

urlpatterns = [
    path("logs/<int:case_id>/import/", views.start, name="start"),
    path("logs/<int:case_id>/import/<int:job_id>/", views.job, name="job"),
    path("logs/<int:case_id>/import/<int:job_id>/cancel/", views.cancel, name="cancel"),
]
