from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from worktally.api.envelope import UTCDatetime
from worktally.api.fields import Text
from worktally.webhook.events import EVENT_TYPES, TEST_EVENT_TYPE

DeliveryStatus = Literal["pending", "succeeded", "failed"]
# Validated by the model (so that every unknown name is reported under `events`), documented as an enum.
EventName = Annotated[str, Field(json_schema_extra={"enum": list(EVENT_TYPES)})]

_EVENTS_DESCRIPTION = (
    "One or more event names (D11): " + ", ".join(EVENT_TYPES) + f". `{TEST_EVENT_TYPE}` is sent only by "
    "`POST /webhooks/{webhookId}/test` and cannot be subscribed to."
)
_WORKSPACE_DESCRIPTION = "The workspace; may be given in the query string instead (D3)."


def _check_events(values: list[str]) -> list[str]:
    unknown = [value for value in values if value not in EVENT_TYPES]
    if unknown:
        raise ValueError(
            "Unknown event(s): " + ", ".join(sorted(set(unknown))) + ". Allowed: " + ", ".join(EVENT_TYPES)
        )
    return list(dict.fromkeys(values))  # keep the caller's order, drop repeats


class WebhookCreate(BaseModel):
    workspace_id: int | None = Field(default=None, description=_WORKSPACE_DESCRIPTION)
    url: Text = Field(
        max_length=2048, description="The http(s) callback URL; no credentials.", examples=["https://example.com/hook"]
    )
    events: list[EventName] = Field(min_length=1, max_length=len(EVENT_TYPES) * 2, description=_EVENTS_DESCRIPTION)

    @field_validator("events")
    @classmethod
    def _known_events(cls, values: list[EventName]) -> list[EventName]:
        return _check_events(values)


class WebhookUpdate(BaseModel):
    workspace_id: int | None = Field(default=None, description=_WORKSPACE_DESCRIPTION)
    url: Text = Field(max_length=2048, description="The http(s) callback URL (required, edition B).")
    events: list[EventName] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES) * 2, description="Unchanged when omitted."
    )
    is_active: bool | None = Field(
        default=None, description="Extension: pause (false) or resume (true) deliveries. Unchanged when omitted."
    )

    @field_validator("events")
    @classmethod
    def _known_events(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _check_events(values)


class WebhookRead(BaseModel):
    id: str
    url: str
    events: list[str]
    token: str = Field(description="The signing secret (`whsec_<base64>`) for Standard Webhooks signatures (D11).")
    is_active: bool
    created_at: UTCDatetime
    updated_at: UTCDatetime


class WebhookAttemptRead(BaseModel):
    attempted_at: UTCDatetime
    status_code: int | None = Field(description="The target's HTTP status; null when no response was received.")
    duration_ms: int
    error: str | None


class WebhookDeliveryRead(BaseModel):
    id: str
    webhook_id: str
    event_id: str = Field(description="Also the `webhook-id` header of every attempt.")
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: UTCDatetime | None = Field(description="When the next attempt is due; null unless pending.")
    delivered_at: UTCDatetime | None
    created_at: UTCDatetime
    updated_at: UTCDatetime
    attempt_log: list[WebhookAttemptRead] = Field(description="Every attempt, oldest first.")
