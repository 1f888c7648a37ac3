from django.urls import path

from daybook.drafts import views

app_name = "drafts"

urlpatterns = [
    path("", views.draft_list, name="list"),
    path("autosave/", views.draft_autosave, name="autosave"),
    path("kept-on-exit/", views.draft_keep_on_exit, name="keep_on_exit"),
    path("<int:draft_id>/", views.draft_detail, name="detail"),
    path("<int:draft_id>/discard/", views.draft_discard, name="discard"),
]
