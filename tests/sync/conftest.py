"""The table tests' fixtures: a lobby, a cash table, players, three of them seated."""

from tests.tables.conftest import lobby, players, seated, table

__all__ = ["lobby", "players", "seated", "table"]
