from __future__ import annotations

from sqlalchemy import select

from tests.factories import Tenants
from worktally.db.models import Membership, Team, TeamMember
from worktally.demo import DemoContext
from worktally.demo.people import PEOPLE, seed


class TestDemoPeople:
    async def test_seeds_members_across_every_role_in_two_teams(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        context = DemoContext(workspace_id=ws.id, owner_id=ws.owner.user_id)

        async with tenants.sessionmaker() as session, session.begin():
            await seed(session, context)

        async with tenants.sessionmaker() as session:
            roles = set(
                (await session.execute(select(Membership.role).where(Membership.workspace_id == ws.id))).scalars()
            )
            teams = list(
                (await session.execute(select(Team.name).where(Team.workspace_id == ws.id).order_by(Team.id))).scalars()
            )
            managers = (
                await session.execute(
                    select(TeamMember.user_id)
                    .join(Team)
                    .where(Team.workspace_id == ws.id, TeamMember.is_manager.is_(True))
                )
            ).scalars()
            manager_ids = set(managers)
        assert roles == {
            "Owner",
            "Executive manager",
            "Project manager",
            "Team manager",
            "Regular User",
            "Project viewer",
        }
        assert teams == ["Development Team", "Design Team"]
        assert len(manager_ids) == 1
        # The viewer is not a time-tracking member, so later seeders do not give them contracts.
        assert len(context.member_ids) == len(PEOPLE) - 1

    async def test_a_second_demo_workspace_reuses_the_demo_users(self, tenants: Tenants) -> None:
        first = await tenants.workspace()
        second = await tenants.workspace()
        first_context = DemoContext(workspace_id=first.id, owner_id=first.owner.user_id)
        second_context = DemoContext(workspace_id=second.id, owner_id=second.owner.user_id)

        async with tenants.sessionmaker() as session, session.begin():
            await seed(session, first_context)
        async with tenants.sessionmaker() as session, session.begin():
            await seed(session, second_context)

        assert first_context.member_ids == second_context.member_ids
