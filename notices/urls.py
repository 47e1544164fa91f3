from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:pk>/open/", views.notice_open, name="open"),
    path("notices/read/", views.notice_read_all, name="read_all"),
    path("notices/settings/", views.notice_settings, name="settings"),
    path("notices/push/subscribe/", views.push_subscribe, name="subscribe"),
    path("notices/push/unsubscribe/", views.push_unsubscribe, name="unsubscribe"),
]
