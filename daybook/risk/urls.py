from django.urls import path

from daybook.risk import views

app_name = "risk"

urlpatterns = [
    path("cases/<int:case_id>/risk/", views.screening, name="screening"),
]
