"""Reviewers' decisions: appended, never overwritten; an undo is a decision that points at the one it withdraws."""

from fastapi import APIRouter, HTTPException, status

from api import schemas
from api.crud import decisions as crud
from api.deps import API_V1, ApiUser, ClusterDep, DecisionDep, Limit, Offset, SessionDep
from api.render.rows import decision_out

router = APIRouter(prefix=API_V1, tags=["decisions"])


@router.get("/clusters/{cluster_id}/decisions", response_model=schemas.DecisionList,
            responses={**schemas.NOT_FOUND, **schemas.undo_link(200, "$response.body#/data/0/id")},
            summary="every decision on a cluster, undos included, oldest first")
def cluster_decisions(session: SessionDep, user: ApiUser, cluster: ClusterDep) -> dict:
    rows = crud.decision_history(session, cluster_id=cluster.id)
    return {"data": [decision_out(d, u) for d, u in rows], "count": len(rows)}


@router.post("/clusters/{cluster_id}/decisions", response_model=schemas.DecisionOut, status_code=201,
             responses={**schemas.NOT_FOUND, **schemas.undo_link(201, "$response.body#/id")},
             summary="record a decision (appended, never overwritten)")
def decide(body: schemas.DecisionIn, session: SessionDep, user: ApiUser, cluster: ClusterDep) -> dict:
    decision = crud.add_decision(session, cluster=cluster, user=user, answer=body.answer, note=body.note)
    return decision_out(decision, user.username)


@router.get("/decisions", response_model=schemas.DecisionList,
            responses=schemas.undo_link(200, "$response.body#/data/0/id"))
def decisions(session: SessionDep, user: ApiUser, mine: bool = False, limit: Limit = 50, offset: Offset = 0) -> dict:
    rows, count = crud.list_decisions(session, user_id=user.id if mine else None, limit=limit, offset=offset)
    return {"data": [decision_out(d, u) for d, u in rows], "count": count}


@router.post("/decisions/undo-last", response_model=schemas.DecisionOut, status_code=201,
             responses=schemas.NOT_FOUND, summary="withdraw your latest decision still in force (appends an undo; a decision taken on a "
                     "campaign is withdrawn on all its clusters)")
def undo_last(session: SessionDep, user: ApiUser) -> dict:
    decision = crud.last_effective_decision(session, user=user)
    if decision is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "nothing to undo")
    return decision_out(crud.undo_with_its_campaign(session, decision=decision, user=user), user.username)


@router.post("/decisions/{decision_id}/undo", response_model=schemas.DecisionOut, status_code=201,
             responses={**schemas.FORBIDDEN, **schemas.NOT_FOUND, **schemas.CONFLICT},
             summary="withdraw one of your decisions, or anyone's if you are an admin (appends an undo that "
                     "points at it)")
def undo(session: SessionDep, user: ApiUser, decision: DecisionDep) -> dict:
    try:
        undo_row = crud.undo_decision(session, decision=decision, user=user)
    except crud.NotYoursError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except crud.ConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return decision_out(undo_row, user.username)
