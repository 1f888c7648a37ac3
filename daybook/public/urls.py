from django.urls import path

from daybook.public import views

app_name = "public"

urlpatterns = [
    path("", views.start, name="start"),
    path("what-is-stalking/", views.stalking, name="stalking"),
    path("self-check/", views.self_check, name="self_check"),
    path("self-check/result/", views.self_check_result, name="self_check_result"),
    path("get-help/", views.get_help, name="get_help"),
    path("staying-safe/", views.staying_safe, name="staying_safe"),
    path("cookies/", views.cookies, name="cookies"),
    path("before-you-continue/", views.before_you_continue, name="before_you_continue"),
    path("exit/", views.exit_now, name="exit"),
]
