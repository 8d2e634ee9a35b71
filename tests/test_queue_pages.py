"""A queue page is cut before its answers are read (api/crud/paging.py): page by page it must give exactly what
one plain SELECT with OFFSET gives, answers in force included (a decision, an undone one, an undo)."""

from api_client import world  # noqa: F401 (fixture)
from sqlmodel import Session, select

from api.crud import campaigns, clusters
from api.crud.decisions import add_decision, undo_decision
from api.crud.reads import read
from smearwatch.models import Campaign, Cluster, User


def _plain_page(table, columns, offset, limit):
    return (select(*columns).where(table.flagged).order_by(table.score.desc(), table.id.asc())
            .offset(offset).limit(limit))


def test_queue_pages_equal_one_plain_select_answers_included(world, engine):  # noqa: F811
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == "rita")).one()
        flagged = session.exec(select(Cluster).where(Cluster.flagged).order_by(Cluster.score.desc())).all()
        add_decision(session, cluster=flagged[0], user=user, answer="smear", note=None)
        undone = add_decision(session, cluster=flagged[1], user=user, answer="organic", note=None)
        undo_decision(session, decision=undone, user=user)
        campaign = session.get(Campaign, flagged[2].campaign_id)
        campaigns.decide_campaign(session, campaign=campaign, user=user, answer="smear", note=None)
        session.commit()

        for module, table in ((clusters, Cluster), (campaigns, Campaign)):
            total = len(session.exec(select(table.id).where(table.flagged)).all())
            assert total >= 2
            seen = []
            for limit in (1, 2):  # to one page past the end
                for offset in range(0, total + 1, limit):
                    paged = read(session, module._queue_page(), offset=offset, limit=limit).all()
                    plain = session.exec(_plain_page(table, module.LIST_COLUMNS, offset, limit)).all()
                    assert [tuple(row) for row in paged] == [tuple(row) for row in plain]
                    seen += paged
            answers = {row.id: row.answer for row in seen}
            assert len(answers) == total and len(seen) == 2 * total
            assert "smear" in answers.values()  # the decision, and the campaign's, are read for their page
        assert answers[campaign.id] == "smear"
