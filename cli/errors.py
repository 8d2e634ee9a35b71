"""Exit statuses, the one-line command error, and any exception turned into one line (never a traceback)."""

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from smearwatch.settings import SettingsError, get_settings
from worker.sources.files import SourceError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


class CommandError(Exception):
    """A failure to report as one line; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def describe_error(error: BaseException) -> tuple[str, int]:
    if isinstance(error, SourceError | SettingsError):
        return str(error), 2
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        message = str(first["msg"]).removeprefix("Value error, ")
        return (f"invalid setting {where}: {message}" if where else message), 2
    if isinstance(error, OperationalError | ProgrammingError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error).splitlines()[0]
        if "unable to open database file" in reason:
            return (f"database: no SQLite database at {get_settings().database_url} (create it with "
                    "`smearwatch db upgrade`, or check SMEARWATCH_DATABASE_URL)"), 1
        if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
            return f"database: {reason} (the schema is missing: run `smearwatch db upgrade`)", 1
        return f"database: {reason} (check SMEARWATCH_DATABASE_URL)", 1
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": "), 1
