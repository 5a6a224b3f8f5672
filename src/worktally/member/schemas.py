from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from worktally.api.envelope import MoneyNumber, UTCDatetime
from worktally.api.fields import Id, NoNul, Timezone
from worktally.auth.permissions import AssignableRole, Role


def _email(value: str) -> str:
    try:
        # Self-hosted installs use internal domains, so deliverability is not checked.
        checked = validate_email(value, check_deliverability=False, globally_deliverable=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"The email must be a valid e-mail address: {exc}") from None
    return checked.normalized.lower()


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoNul]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}),
]
EmailFilter = Annotated[str, StringConstraints(max_length=254), NoNul]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul]
Rate = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)]
# Money goes out as a JSON number (catalogue: `rate` num); it is stored exactly (D14).

MemberStatus = Literal["active", "inactive", "left", "unknown"]

WorkspaceIdField = Annotated[
    int | None, Field(description="The workspace; may be given here or in the query string (D3).")
]


class MemberRead(BaseModel):
    id: int = Field(description="The member's user id.")
    email: str
    firstname: str
    lastname: str
    avatar: str | None
    current_role: Role
    timezone: str | None = Field(description="The member's IANA time zone, or the workspace's when unset (D9).")
    status: MemberStatus
    team_id: int | None = Field(description="Extension: the id of the member's team (D17).")
    team_name: str | None
    title: str | None
    rate: MoneyNumber | None = Field(description="Null unless the caller may see this member's rates (D6).")
    rate_status: int
    rate_type: str
    currency: str
    screenshots: str
    weekly_hours_limit: int
    is_blocked: bool
    created_at: UTCDatetime
    updated_at: UTCDatetime
    deleted_at: UTCDatetime | None


class MemberInvite(BaseModel):
    model_config = ConfigDict(extra="ignore")

    workspace_id: WorkspaceIdField = None
    email: Email
    firstname: Name
    lastname: Name
    role: AssignableRole


class MemberInvited(BaseModel):
    user_id: int = Field(
        description="The new member's id in this workspace (D4: member ids are user ids), for giving them "
        "contracts and tasks before they accept (D12)."
    )
    invitation_link: str | None = Field(
        description="The link that lets the invitee choose their password and join. Null when the e-mail "
        "already has an account: its owner gets the invitation by e-mail and accepts it by signing in, and "
        "no invitation can set or change the password of an existing account."
    )


class MemberUpdate(BaseModel):
    """Every field is optional; only the fields given change. ``timezone``, ``title``, ``rate`` and
    ``team_id`` may be null to clear them."""

    model_config = ConfigDict(extra="ignore")

    workspace_id: WorkspaceIdField = None
    email: Email | None = None
    firstname: Name | None = None
    lastname: Name | None = None
    timezone: Timezone | None = None
    role: AssignableRole | None = None
    rate_status: Literal[0, 1] | None = None
    weekly_hours_limit: Annotated[int, Field(ge=0, le=168)] | None = None
    remove_avatar: Literal[0, 1] | None = None
    title: Title | None = Field(default=None, description="Extension: job title.")
    rate: Rate | None = Field(default=None, description="Extension: the member's hourly rate.")
    team_id: Id | None = Field(
        default=None, description="Extension: put the member in this team (D17); null takes them out of every team."
    )
