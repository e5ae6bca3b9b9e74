"""The baseline of realtime_bench.py: a bare Channels consumer that only does group_send.

Subscribers at ``/ws/`` join group ``bench`` and get its messages straight
on their socket; the emitter at ``/ws/emit/`` sends each frame, as is, to the
group.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pokerrt.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class BaselineEmitter(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):  # type: ignore[no-untyped-def]
        await self.channel_layer.group_send("bench", {"type": "bench.event", "text": text_data})


class BaselineConsumer(AsyncWebsocketConsumer):
    groups = ["bench"]

    async def bench_event(self, message):  # type: ignore[no-untyped-def]
        await self.send(text_data=message["text"])


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(
            [path("ws/", BaselineConsumer.as_asgi()), path("ws/emit/", BaselineEmitter.as_asgi())]
        )
    }
)
