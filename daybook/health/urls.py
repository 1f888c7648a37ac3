from django.urls import URLPattern, path

from daybook.health import views

app_name = "health"
# Answered by `HealthCheckMiddleware` before they reach the URL configuration; named here so
# that they are URLs of the project like any other (and rows of the permission matrix).
urlpatterns: list[URLPattern] = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
