"""Serializers that refuse fields they do not know, instead of ignoring them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pokerrt.realtime.envelope import canonical_id


class StrictSerializer(serializers.Serializer):
    """A ``Serializer`` whose unknown input fields are a validation error."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}
                )
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An integer that arrived as a JSON integer: not a string, float or boolean.

    Chips are counted, never parsed: "100", 100.0 and true are refused rather
    than coerced.
    """

    default_error_messages = {"invalid": "A whole number (a JSON integer) is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIdField(serializers.Field):
    """An id in the one form of PROTOCOL.md section 1 (``"17"``), as a string."""

    default_error_messages = {"invalid": 'A canonical id: ASCII digits, no sign, no leading zero ("17").'}

    def to_internal_value(self, data: Any) -> str:
        id_ = canonical_id(data)
        if id_ is None:
            self.fail("invalid")
        return id_

    def to_representation(self, value: Any) -> str:
        return str(value)
