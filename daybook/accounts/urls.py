from django.urls import path

from daybook.accounts import views

app_name = "accounts"

urlpatterns = [
    path("security/", views.security, name="security"),
    path("name/", views.name_change, name="name"),
    path("team/", views.teams, name="teams"),
    path("team/<int:organisation_id>/", views.team, name="team"),
    path("team/<int:organisation_id>/invite/", views.invite, name="invite"),
    path(
        "team/<int:organisation_id>/members/<int:user_id>/role/",
        views.change_role,
        name="change_role",
    ),
    path(
        "team/<int:organisation_id>/members/<int:user_id>/deactivate/",
        views.deactivate,
        name="deactivate",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
