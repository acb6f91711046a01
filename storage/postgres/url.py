"""``postgresql://`` URLs: recognised, validated, and shown without their password."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = ["SCHEMES", "PostgresUrl", "is_postgres_url"]

SCHEMES = ("postgresql", "postgres")
"""The URL schemes that name a PostgreSQL database."""

_HIDDEN = "***"
_BARE_SECRET_LENGTH = 6


def is_postgres_url(value: str) -> bool:
    """Whether ``value`` is meant as a PostgreSQL URL (its scheme says so)."""
    scheme, sep, _ = value.strip().partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


@dataclass(frozen=True, slots=True)
class PostgresUrl:
    """A validated PostgreSQL URL. ``str()`` and ``repr()`` never show the password."""

    dsn: str = field(repr=False)
    user: str | None
    host: str
    port: int
    database: str
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, text: str) -> PostgresUrl:
        """Validate ``text``; ValueError with a message that never contains the password."""
        text = text.strip()
        if not is_postgres_url(text):
            raise ValueError("must start with postgresql:// or postgres://")
        try:
            url = urlsplit(text)
            port = url.port
        except ValueError:
            raise ValueError(
                "is not a valid PostgreSQL URL (the port must be a number from 1 to 65535), "
                "e.g. postgresql://quizbot:secret@localhost:5432/quizbot"
            ) from None
        query = parse_qs(url.query)
        host = url.hostname or (query.get("host") or [""])[0]
        database = unquote(url.path.removeprefix("/"))
        if not host:
            raise ValueError(
                "names no host, e.g. postgresql://quizbot:secret@localhost:5432/quizbot"
            )
        if not database or "/" in database:
            raise ValueError(
                "must name one database after the host, "
                "e.g. postgresql://quizbot:secret@localhost:5432/quizbot"
            )
        if port is None:
            port = int((query.get("port") or ["5432"])[0])
        return cls(
            dsn=text,
            user=unquote(url.username) if url.username else None,
            host=host,
            port=port,
            database=database,
            password=unquote(url.password) if url.password is not None else None,
        )

    def secrets(self) -> list[str]:
        """Forms the password may take in text (as given and URL-encoded), for redaction: after
        the user name (``:password@``) always, and alone when it is long enough not to match
        ordinary words."""
        if not self.password:
            return []
        forms = {self.password, quote(self.password, safe="")}
        found = {f":{form}@" for form in forms}
        found |= {form for form in forms if len(form) >= _BARE_SECRET_LENGTH}
        return sorted(found, key=len, reverse=True)

    def __str__(self) -> str:
        login = ""
        if self.user:
            login = f"{quote(self.user, safe='')}{':' + _HIDDEN if self.password else ''}@"
        return f"postgresql://{login}{self.host}:{self.port}/{self.database}"
