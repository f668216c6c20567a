"""The one error shape (/api §3.1): an ack `{"ok": false, "error": {code, message, details}}`,
or over HTTP the JSON `{"error": {code, message}}` with the matching status."""

from __future__ import annotations

from typing import Any

HTTP_STATUS = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unsupported": 415,
    "rate_limited": 429,
    "internal": 500,
}


class ActionError(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def ack(self) -> dict[str, Any]:
        """The Socket.IO ack of a refused request."""
        return {"ok": False, "error": self.to_dict()}

    def body(self) -> dict[str, Any]:
        """The JSON body of a refused HTTP request."""
        return {"error": self.to_dict()}


def invalid(message: str, **fields: str) -> ActionError:
    """`details` names the offending fields: {"field": "what is wrong"}."""
    return ActionError("invalid", message, fields)


def forbidden(message: str = "Bạn không có quyền làm việc này") -> ActionError:
    return ActionError("forbidden", message)


def not_found(message: str = "Không tìm thấy") -> ActionError:
    return ActionError("not_found", message)


def conflict(message: str) -> ActionError:
    return ActionError("conflict", message)


def internal() -> ActionError:
    """What a client is told of an unexpected failure (the details go to the log only)."""
    return ActionError("internal", "Lỗi máy chủ")
