from django.contrib import admin
from django.urls import include, path

from dnc import views as dnc_views

urlpatterns = [
    path("", dnc_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dnc/", include("dnc.urls")),
    path("audit/", include("audit.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("django-admin/", admin.site.urls),
]
