"""The retention pages; filled in as they are built."""

from django.urls import URLPattern

app_name = "retention"

urlpatterns: list[URLPattern] = []
