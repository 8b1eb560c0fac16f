from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dnc import views as dnc_views

urlpatterns = [
    path("", dnc_views.home, name="home"),
    # Log in and out only: with no mail set up, password reset would mislead.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dnc/", include("dnc.urls")),
    path("audit/", include("audit.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("django-admin/", admin.site.urls),
]
