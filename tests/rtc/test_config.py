"""Media settings as an operator writes them in the environment (README: comma-separated)."""

from __future__ import annotations

import pytest

from meeting.config import Settings


def test_rtc_hosts_and_ice_servers_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTC_HOSTS", "127.0.0.1")
    monkeypatch.setenv("RTC_ICE_SERVERS", "stun:stun.example.vn:3478, turn:u:p@turn.example.vn")
    settings = Settings(_env_file=None)
    assert settings.rtc_hosts == ["127.0.0.1"]
    assert settings.rtc_ice_servers == ["stun:stun.example.vn:3478", "turn:u:p@turn.example.vn"]

    monkeypatch.setenv("RTC_HOSTS", "127.0.0.1,127.0.0.2")
    assert Settings(_env_file=None).rtc_hosts == ["127.0.0.1", "127.0.0.2"]
    monkeypatch.setenv("RTC_HOSTS", "")
    assert Settings(_env_file=None).rtc_hosts == []
