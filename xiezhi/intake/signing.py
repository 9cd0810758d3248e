"""The HMAC-SHA256 signature shared by 12345 requests and our callbacks."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
