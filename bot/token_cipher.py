"""Tokens at rest (Slack's per-workspace tokens): encrypted with ``QUIZBOT_SECRET_KEY``
(Fernet) when it is set.

An encrypted token is stored as ``fernet:<ciphertext>``; anything else is a token stored in
clear (no key was set when it was saved). Setting a key later keeps those readable; reading
an encrypted token without the key (or with another one) is refused with a clear message.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["ENCRYPTED_PREFIX", "TokenCipher", "TokenCipherError", "is_sealed"]

ENCRYPTED_PREFIX = "fernet:"


class TokenCipherError(Exception):
    """A stored token cannot be read with the key this process has."""


def is_sealed(stored: str) -> bool:
    """Whether a stored token is encrypted (else it is stored in clear)."""
    return stored.startswith(ENCRYPTED_PREFIX)


class TokenCipher:
    """Encrypts tokens for storage and decrypts them back (a no-op without a key)."""

    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    @property
    def encrypting(self) -> bool:
        """Whether tokens are encrypted before they are stored."""
        return self._fernet is not None

    def seal(self, token: str) -> str:
        """What to store for ``token``."""
        if self._fernet is None:
            return token
        return ENCRYPTED_PREFIX + self._fernet.encrypt(token.encode()).decode()

    def open(self, stored: str) -> str:
        """The token ``stored`` holds (:class:`TokenCipherError` when it cannot be read)."""
        if not stored.startswith(ENCRYPTED_PREFIX):
            return stored
        if self._fernet is None:
            raise TokenCipherError(
                "a stored Slack token is encrypted but QUIZBOT_SECRET_KEY is not set"
            )
        try:
            return self._fernet.decrypt(stored.removeprefix(ENCRYPTED_PREFIX)).decode()
        except InvalidToken:
            raise TokenCipherError(
                "a stored Slack token cannot be decrypted with this QUIZBOT_SECRET_KEY "
                "(it was saved with another key)"
            ) from None
