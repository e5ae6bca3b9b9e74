"""Lobbies: the rooms that list tables and tournaments."""

from django.db import models


class Lobby(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "lobbies"

    def __str__(self) -> str:
        return self.name
