"""What every REST endpoint shares: who may call it, how lists are paged, which ids it takes.

Endpoints read the public state anyone may subscribe to over the socket
(lobbies, tables, tournaments) without logging in; what changes state needs
a user, and what only staff may command over the socket (create, update,
delete) only staff may do here. Ids in paths are canonical as in
PROTOCOL.md section 1: ``/api/tables/017/`` is a VALIDATION error, not
table 17.
"""

from __future__ import annotations

from typing import Any

from django.urls import register_converter
from rest_framework import pagination, permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from pokerrt.realtime.envelope import canonical_id

# The largest id a database row can have (a signed 64-bit column): a larger
# one in a path could only overflow the query.
MAX_ID = 2**63 - 1


class IdConverter:
    """``<id:name>``: any run of digits reaches the view, which refuses the non-canonical ones by name.

    Refusing in the URL resolver would answer Django's 404 page instead of
    a VALIDATION error naming the field.
    """

    regex = "[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: Any) -> str:
        return str(value)


register_converter(IdConverter, "id")


def check_ids(kwargs: dict[str, Any]) -> None:
    """VALIDATION for every path id that is not canonical ("017") or could not be a row's id."""
    problems = {}
    for name, value in kwargs.items():
        if not name.endswith("_id"):
            continue
        if canonical_id(value) != value:
            problems[name] = ['A canonical id: ASCII digits, no sign, no leading zero ("17").']
        elif int(value) > MAX_ID:
            problems[name] = [f"At most {MAX_ID}."]
    if problems:
        raise ValidationError(problems)


class ApiView(APIView):
    """An APIView whose path ids are checked before the handler runs."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_ids(kwargs)


class IsStaffOrReadOnly(permissions.BasePermission):
    """Anyone reads; only staff write (the socket's staff-only commands)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsStaff(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class Page(pagination.LimitOffsetPagination):
    """``?limit=&offset=``: 50 rows by default, 200 at most."""

    default_limit = 50
    max_limit = 200

    def get_offset(self, request: Request) -> int:
        # An offset past any row is an empty page, not a number the
        # database's OFFSET overflows at.
        return min(super().get_offset(request), MAX_ID)


def not_found(request: Any, path: str = "") -> Any:
    """A path under /api/ that names no endpoint: NOT_FOUND in the API's error format, not an HTML page."""
    return _NoSuchEndpoint.as_view()(request, path=path)


class _NoSuchEndpoint(ApiView):
    permission_classes = [permissions.AllowAny]
    throttle_classes: list[type] = []
    schema = None  # not an endpoint: left out of the OpenAPI document

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.args, self.kwargs = args, kwargs
        self.request = self.initialize_request(request, *args, **kwargs)
        self.headers = self.default_response_headers
        response = self.handle_exception(NotFound("No such endpoint."))
        self.response = self.finalize_response(self.request, response, *args, **kwargs)
        return self.response
