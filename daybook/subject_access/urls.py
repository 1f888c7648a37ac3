"""The subject_access pages; filled in as they are built."""

from django.urls import URLPattern

app_name = "subject_access"

urlpatterns: list[URLPattern] = []
