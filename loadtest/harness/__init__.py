"""The load harness (``python -m loadtest.harness``; loadtest/README.md): bots, spectators and idle sockets.

Small modules, each importable on its own (the fault drills reuse them):

| module | job |
|---|---|
| ``clients.py`` | the WebSocket clients: ``IdleConnection``, ``Spectator``, ``Player`` (a ``loadtest.bots.Bot``), and the ``Observer`` each feeds every frame to |
| ``checks.py`` | ``StreamChecker`` (seq gaps per stream) and ``LeakChecker`` (hole cards seen by a non-owner) |
| ``stats.py`` | ``Stats``: deliveries, errors by code, action-to-every-player latency (``ActionClock``) |
| ``seating.py`` | the lobby, tables or sit-and-go and the bots' accounts: through the ORM or the REST API |
| ``nodes.py`` | local nodes (start, stop) and any node's CPU and memory (``/proc`` or ``/metrics``) |
| ``report.py`` | the printed report, the JSON, the PNG |
| ``run.py`` | the command: options, the run's order, the exit status |

Nothing here imports Django: the harness is an outside program (setup runs the ORM in a subprocess).
"""
