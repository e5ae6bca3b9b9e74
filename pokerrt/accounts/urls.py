from django.contrib.auth import views as auth_views
from django.urls import path

from . import api, views

pages = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.throttled_log_in(auth_views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

api_urls = [
    path("auth/register/", api.RegisterView.as_view(), name="api-register"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
]
