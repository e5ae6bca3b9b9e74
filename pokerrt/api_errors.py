"""The REST API's exception handler: every error answers ``{"code", "message", "details"}``.

``pokerrt.errors`` errors answer with their own code and ``http_status``, so a
``do_*`` function refuses a REST client with the code it gives a socket
client. DRF's own exceptions get the protocol code that says the same thing;
anything else is INTERNAL and tells the client nothing of it. What each code
logs and whom it tells is ``pokerrt.error_handlers``' table, the same for
the socket. The codes and statuses are documented in docs/api-errors.md.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from . import error_handlers, errors

# DRF's exceptions by the protocol error that says the same; the first match wins.
# The request itself is wrong (not JSON, a media type or method the endpoint
# does not take): BAD_FRAME, as a socket frame that is not JSON. VALIDATION
# is kept for fields, which its ``details`` name.
DRF_ERRORS: tuple[tuple[type[exceptions.APIException], type[errors.PokerrtError]], ...] = (
    (exceptions.ValidationError, errors.Validation),
    (exceptions.NotAuthenticated, errors.Unauthenticated),
    (exceptions.AuthenticationFailed, errors.Unauthenticated),
    (exceptions.PermissionDenied, errors.Forbidden),
    (exceptions.NotFound, errors.NotFound),
    (exceptions.Throttled, errors.RateLimited),
    (exceptions.ParseError, errors.BadFrame),
    (exceptions.UnsupportedMediaType, errors.BadFrame),
    (exceptions.MethodNotAllowed, errors.BadFrame),
    (exceptions.NotAcceptable, errors.BadFrame),
)


def handle(exc: Exception, context: dict[str, Any]) -> Response:
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: the response for any exception a view raised."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    # What the view did before it raised is not kept (ATOMIC_REQUESTS).
    set_rollback()
    what = f"API request {context.get('request')}"
    if isinstance(exc, exceptions.APIException) and exc.status_code < 500:
        return _from_drf(exc, what)
    told = error_handlers.answer(exc, error_handlers.API, what)
    headers = _auth_header(exc, context) if isinstance(exc, errors.PokerrtError) else {}
    if told.retry_after is not None:
        headers["Retry-After"] = str(told.retry_after)
    return _answer(told.code, told.message, told.details, told.http_status, headers)


def _from_drf(exc: exceptions.APIException, what: str) -> Response:
    # DRF already chose the status: 401 with WWW-Authenticate, or 403 on an
    # endpoint without an authentication scheme to name in that header.
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    error = next((error for drf, error in DRF_ERRORS if isinstance(exc, drf)), errors.BadFrame)
    error_handlers.report(exc, error_handlers.HANDLINGS[error.code], error_handlers.API, what)
    if error is errors.Validation:
        return _answer(error.code, error.default_message, errors.field_details(exc.detail), exc.status_code)
    return _answer(error.code, str(exc.detail), None, exc.status_code, headers)


def _auth_header(exc: errors.PokerrtError, context: dict[str, Any]) -> dict[str, str]:
    """A 401 names how to authenticate (RFC 9110), as DRF's own 401s do."""
    view, request = context.get("view"), context.get("request")
    if exc.http_status != 401 or view is None or request is None:
        return {}
    scheme = view.get_authenticate_header(request)
    return {"WWW-Authenticate": scheme} if scheme else {}


def _answer(
    code: str, message: str, details: dict[str, Any] | None, status: int, headers: dict[str, str] | None = None
) -> Response:
    return Response({"code": code, "message": message, "details": details}, status=status, headers=headers)
