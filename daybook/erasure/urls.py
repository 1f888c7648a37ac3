"""The erasure pages; filled in as they are built."""

from django.urls import URLPattern

app_name = "erasure"

urlpatterns: list[URLPattern] = []
