"""Django's SQLite backend, with a node's own writers queued in order (``base``)."""
