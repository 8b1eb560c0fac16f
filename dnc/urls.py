from django.urls import path

from dnc import api, views

app_name = "dnc"

urlpatterns = [
    path("", views.number_list, name="list"),
    path("add/", views.number_add, name="add"),
    path("api/check/", api.check, name="api-check"),
    path("<str:phone_number>/remove/", views.number_remove, name="remove"),
]
