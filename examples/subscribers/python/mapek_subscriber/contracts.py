"""The generated contract documents (docs/contracts): which subject carries which event type and
version (asyncapi.json), and the JSON Schema of each (events/<type>.v<N>.schema.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

import regress
from jsonschema import Draft202012Validator, ValidationError, validators

_EVENT_SCHEMA_ID = re.compile(r"^urn:mapek:event:([a-z.]+):v([0-9]+)$")
_ADDRESS_PARAMETER = re.compile(r"\{[A-Za-z]+\}")


@lru_cache(maxsize=64)
def _ecma_regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # JSON Schema patterns are ECMA-262 regular expressions, as zod checks them: Python's `re`
    # differs (`$` also matches before a final newline, `\w` matches any letter), so use regress.
    if not validator.is_type(instance, "string"):
        return
    # regress takes well-formed text; an unpaired surrogate stands as U+FFFD for the match.
    text = instance.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if _ecma_regex(pattern).find(text) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


EventValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@dataclass
class Channel:
    """One event subject of the AsyncAPI document, with a validator per version of its event type."""

    name: str
    subject: str  # NATS subject to subscribe to, parameters as `*`
    event_type: str
    validators: dict[int, Any] = field(default_factory=dict)

    def validate(self, envelope: Any) -> list[str]:
        """The problems of an event on this channel; empty when it is valid."""
        if not isinstance(envelope, dict):
            return ["the body is not a JSON object"]
        version = envelope.get("version")
        validator = self.validators.get(version) if type(version) in (int, float) and float(version).is_integer() else None
        if validator is None:
            return [f"{self.subject} carries {self.event_type} versions {sorted(self.validators)}, not {version!r}"]
        return [
            f"at '/{'/'.join(str(part) for part in error.absolute_path)}': {error.message}"
            for error in sorted(validator.iter_errors(envelope), key=lambda error: list(map(str, error.absolute_path)))
        ]


def load_channels(contracts_dir: Path, prefix: str, only: Optional[set[str]] = None) -> list[Channel]:
    """The event channels of asyncapi.json (not actuation, dead letters or knowledge queries), each
    with the compiled JSON Schemas of its event type's versions; `only` keeps those event types."""
    document = json.loads((contracts_dir / "asyncapi.json").read_text("utf-8"))
    components = document["components"]
    channels: list[Channel] = []
    for name, entry in document["channels"].items():
        if "address" not in entry or entry["address"] is None:
            continue  # reply channels have no address of their own
        channel = Channel(name, "", "")
        for message in entry.get("messages", {}).values():
            component = components["messages"][message["$ref"].rsplit("/", 1)[-1]]
            payload_ref = component.get("payload", {}).get("$ref", "")
            schema_id = components["schemas"].get(payload_ref.rsplit("/", 1)[-1], {}).get("$id", "")
            match = _EVENT_SCHEMA_ID.match(schema_id)
            if not match:
                continue
            event_type, version = match.group(1), int(match.group(2))
            if channel.event_type and channel.event_type != event_type:
                raise ValueError(f"channel {name} carries two event types, {channel.event_type} and {event_type}")
            channel.event_type = event_type
            channel.validators[version] = _event_validator(contracts_dir, event_type, version, schema_id)
        if not channel.event_type or (only and channel.event_type not in only):
            continue
        channel.subject = _ADDRESS_PARAMETER.sub(lambda param: prefix if param.group(0) == "{prefix}" else "*", entry["address"])
        channels.append(channel)
    if not channels:
        raise ValueError("no event channels in asyncapi.json (or none of the requested types)")
    return sorted(channels, key=lambda channel: channel.subject)


def _event_validator(contracts_dir: Path, event_type: str, version: int, schema_id: str) -> Any:
    file = contracts_dir / "events" / f"{event_type}.v{version}.schema.json"
    schema = json.loads(file.read_text("utf-8"))
    if schema.get("$id") != schema_id:
        raise ValueError(f"{file}: $id is {schema.get('$id')!r}, the AsyncAPI document says {schema_id!r}")
    EventValidator.check_schema(schema)
    # date-time is checked (rfc3339-validator), as zod checks it.
    return EventValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
