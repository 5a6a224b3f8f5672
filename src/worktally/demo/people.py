"""Demo members across every role, in two teams. Everyone signs in with the owner's demo password."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import Role
from worktally.core.clock import utc_now
from worktally.core.passwords import hash_password
from worktally.db.models import Membership, Team, TeamMember, User
from worktally.demo import DemoContext
from worktally.member.repository import find_user_by_email

DEMO_PASSWORD = "demo-password"

# (firstname, lastname, role, title, timezone, hourly rate, team)
PEOPLE: tuple[tuple[str, str, Role, str, str, str, str | None], ...] = (
    ("Erin", "Exec", Role.EXECUTIVE_MANAGER, "Head of Delivery", "Europe/London", "95.00", None),
    ("Paul", "Planner", Role.PROJECT_MANAGER, "Project Manager", "America/New_York", "70.00", None),
    ("Tess", "Lead", Role.TEAM_MANAGER, "Engineering Lead", "Europe/Berlin", "80.00", "Development Team"),
    ("Dev", "Patel", Role.REGULAR_USER, "Backend Developer", "Asia/Kolkata", "45.00", "Development Team"),
    ("Mia", "Chen", Role.REGULAR_USER, "Frontend Developer", "Asia/Singapore", "50.00", "Development Team"),
    ("Leo", "Garcia", Role.REGULAR_USER, "Designer", "America/Mexico_City", "40.00", "Design Team"),
    ("Ana", "Silva", Role.REGULAR_USER, "QA Engineer", "America/Sao_Paulo", "35.00", "Design Team"),
    ("Vic", "Viewer", Role.PROJECT_VIEWER, "Client", "America/Chicago", "0.00", None),
)
TEAM_MANAGERS = {"Development Team": "Tess", "Design Team": "Tess"}


def _email(firstname: str, lastname: str) -> str:
    return f"{firstname}.{lastname}@demo.worktally.local".lower()


async def seed(session: AsyncSession, context: DemoContext) -> None:
    """Eight active members (every role; four regular users) and two teams managed by the team manager."""
    now = utc_now()
    password_hash = hash_password(DEMO_PASSWORD)
    by_name: dict[str, int] = {}
    teams: dict[str, list[int]] = {}
    for firstname, lastname, role, title, timezone, rate, team in PEOPLE:
        email = _email(firstname, lastname)
        user = await find_user_by_email(session, email)
        if user is None:
            user = User(email=email, firstname=firstname, lastname=lastname, password_hash=password_hash)
            session.add(user)
            await session.flush()
        session.add(
            Membership(
                workspace_id=context.workspace_id,
                user_id=user.id,
                role=role.value,
                status="active",
                title=title,
                timezone=timezone,
                rate=Decimal(rate) if role is not Role.PROJECT_VIEWER else None,
                rate_status=1 if role is Role.REGULAR_USER else 0,
                weekly_hours_limit=40,
                invited_by=context.owner_id,
                activated_at=now,
            )
        )
        by_name[firstname] = user.id
        if team is not None:
            teams.setdefault(team, []).append(user.id)
        if role is not Role.PROJECT_VIEWER:
            # Later seeders give member_ids contracts and time; a viewer only watches.
            context.member_ids.append(user.id)
    await session.flush()

    for name, member_ids in teams.items():
        row = Team(workspace_id=context.workspace_id, name=name)
        session.add(row)
        await session.flush()
        manager_id = by_name[TEAM_MANAGERS[name]]
        session.add_all(TeamMember(team_id=row.id, user_id=uid, is_manager=False) for uid in member_ids)
        session.add(TeamMember(team_id=row.id, user_id=manager_id, is_manager=True))
    await session.flush()
