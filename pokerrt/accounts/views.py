"""Sign-up page; log-in and log-out are Django's own views (urls.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import BaseUserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import usernames
from .actions import do_create_user
from .errors import UsernameTaken


class SignUpForm(BaseUserCreationForm):
    class Meta:
        model = get_user_model()
        fields = ("username",)

    def clean_username(self) -> str:
        return usernames.check_username(self.cleaned_data["username"])


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_create_user(form.cleaned_data["username"], form.cleaned_data["password1"])
        except UsernameTaken as taken:
            form.add_error("username", str(taken))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
