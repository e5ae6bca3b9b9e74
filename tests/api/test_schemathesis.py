"""schemathesis against /api/schema/, in process: no 5xx, and no response the schema does not describe.

Requests go to the Django WSGI application directly (no server, no
network), as staff, so the writes get past their permission and into their
serializers and actions. Examples per operation are bounded so the run stays
well under a minute or two on a busy machine; hypothesis's deadline is off,
since the machine's speed is not what is tested.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema(db):
    # The test's transaction must outlive each request: Django closes the
    # connection when a request ends, which its own test client prevents the
    # same way, for the WSGI application called here directly.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(api_schema, make_user):
    from rest_framework.authtoken.models import Token

    from lobby.actions import do_create_lobby
    from tables.actions import do_create_table
    from tournament.actions import do_create_tournament

    # Something for ids 1 to find: a lobby, a table, a tournament.
    lobby = do_create_lobby("Fuzz")
    do_create_table(lobby, "Fuzz 5/10", small_blind=5, big_blind=10)
    do_create_tournament(lobby, "Fuzz SNG", buy_in=10, max_players=6, table_size=6)
    staff = make_user("fuzzer", is_staff=True)
    return Token.objects.create(user=staff).key


def test_api_conforms_to_its_schema(api_schema, staff_token):
    # Operation by operation with hypothesis directly: schemathesis's own
    # pytest plugin does not run under this project's pytest.
    headers = {"Authorization": f"Token {staff_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        conforms()
