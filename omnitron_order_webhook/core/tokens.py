"""Sender tokens: generated once, stored only as a hash.

A token is 32 random bytes (256 bits), so a fast hash is enough: unlike a
password it cannot be guessed, and a slow KDF would only add latency to every
delivery. The clear prefix (``INDEX_SIZE`` characters) lets the database find
the candidate row the way Odoo's ``res.users.apikeys`` does.
"""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # random bytes per token
INDEX_SIZE = 8  # characters of the clear lookup prefix


def new_token():
    """Return (token, index, digest): show the token once, store the rest."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token[:INDEX_SIZE], digest(token)


def digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def matches(token, stored_digest):
    """Constant-time comparison of a presented token with a stored digest."""
    return hmac.compare_digest(digest(token), stored_digest)
