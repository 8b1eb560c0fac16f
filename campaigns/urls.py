from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/status/", views.campaign_status, name="status"),
    path(
        "<int:campaign_id>/leads/<int:lead_id>/add-to-dnc/",
        views.lead_add_to_dnc,
        name="lead_add_to_dnc",
    ),
    path("contacts/search/", views.contact_search, name="contact_search"),
    path("console/", views.console, name="console"),
    path("calls/<int:call_id>/", views.call_detail, name="call"),
]
