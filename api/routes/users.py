"""Who is asking, and the users (admins): /api/v1/me, /api/v1/users."""

from fastapi import APIRouter, HTTPException, status

from api import schemas
from api.deps import API_V1, ApiAdmin, ApiUser, SessionDep
from smearwatch.users import UserError, create_user, list_users

router = APIRouter(prefix=API_V1, tags=["users"])


@router.get("/me", response_model=schemas.UserOut)
def me(user: ApiUser):
    return user


@router.get("/users", response_model=list[schemas.UserOut], summary="all users (admins)")
def users(session: SessionDep, user: ApiAdmin):
    return list_users(session)


@router.post("/users", response_model=schemas.UserCreated, status_code=201, responses=schemas.CONFLICT,
             summary="create a user; the password and token are shown once (admins)")
def add_user(body: schemas.UserCreate, session: SessionDep, user: ApiAdmin) -> dict:
    try:
        credentials = create_user(session, username=body.username, role=body.role)
    except UserError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return credentials.as_dict()
