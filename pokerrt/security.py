"""The Content-Security-Policy header, which Django 5.2 does not send itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Adds ``settings.POKERRT_CSP`` to every response that has no policy of its own.

    Should an attacker get markup into a page, the browser still runs and
    loads only what this site serves: the pages keep their scripts and styles
    in static files for that reason.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.POKERRT_CSP:
            raise MiddlewareNotUsed
        super().__init__(get_response)
        self.policy = settings.POKERRT_CSP

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
