"""ASGI entry point: HTTP through Django, WebSockets through the real-time core.

Serve it with ``python -m pokerrt.realtime.server`` (Daphne's options; it adds
close 1012 on shutdown and slow-consumer backpressure, docs/realtime.md), or
with plain ``daphne``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pokerrt.settings")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from pokerrt.realtime.routing import websocket_application  # noqa: E402
from pokerrt.timers.inprocess import TimerStartupMiddleware  # noqa: E402

# The in-process timers start on the first request or connection (they need
# the server's event loop); with the Celery backend the wrapper does nothing.
application = TimerStartupMiddleware(
    ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application()})
)
