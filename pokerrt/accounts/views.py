"""Sign-up page, and the log-in limits around Django's own log-in views (urls.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import BaseUserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import usernames
from .actions import do_create_user
from .errors import UsernameTaken
from .throttles import count_log_in, count_sign_up


class SignUpForm(BaseUserCreationForm):
    class Meta:
        model = get_user_model()
        fields = ("username",)

    def clean_username(self) -> str:
        return usernames.check_username(self.cleaned_data["username"])


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = count_sign_up(request)
        if attempt.wait:
            return too_many_attempts(request, attempt.wait)
        try:
            user = do_create_user(form.cleaned_data["username"], form.cleaned_data["password1"])
        except UsernameTaken as taken:
            attempt.give_back()
            form.add_error("username", str(taken))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def throttled_log_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A log-in page (ours, the admin's) held to the log-in limits."""

    @wraps(view)
    def page(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        attempt = count_log_in(request, request.POST.get("username", ""))
        if attempt.wait:
            return too_many_attempts(request, attempt.wait)
        response = view(request, *args, **kwargs)
        # Django's log-in views log the user in and redirect, or show the form again.
        if response.status_code == 302 and request.user.is_authenticated:
            attempt.succeeded()
        return response

    return page


def too_many_attempts(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request, "registration/too_many_attempts.html", {"minutes": math.ceil(wait / 60)}, status=429
    )
    response["Retry-After"] = str(wait)
    return response
