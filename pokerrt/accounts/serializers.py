"""Input and output shapes of the accounts API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from pokerrt.strict import StrictSerializer

from . import usernames


class RegisterSerializer(StrictSerializer):
    # The rules (usernames.check_username) apply to the normalised name, which
    # is what gets stored; this length only bounds the work before them.
    username = serializers.CharField(max_length=usernames.MAX_LENGTH)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)

    def validate_username(self, value: str) -> str:
        return usernames.check_username(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = get_user_model()(username=attrs["username"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(trim_whitespace=False, max_length=128)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with these credentials."]},
                code="authorization",
            )
        attrs["user"] = user
        return attrs
