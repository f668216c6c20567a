"""Settings from the environment (/api §1), with defaults that run on a laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = ""  # empty: an SQLite file under data_dir
    # Seed a demo province into an empty database at start, and show its logins on /login.
    # Unset: on for the embedded SQLite default (the README's first command), off whenever
    # DATABASE_URL names a database (a real deployment never gets demo accounts by surprise).
    demo: bool | None = None
    redis_url: str = ""  # empty: one process, pushes stay in memory
    redis_channel: str = "hop-khong-giay"  # python-socketio pub/sub channel
    data_dir: Path = Path("var")
    secret_key: str = "dev-secret-change-me"
    smtp_url: str = ""  # smtp://user:pass@host:port ; empty: no e-mail
    mail_from: str = "hop@localhost"
    max_upload_mb: int = 50
    # Hostile-PDF budgets (docs/jobs.py): each check of an uploaded PDF, each signature check
    # and each viewers'-copy build runs in a child process killed past these; at most
    # `pdf_jobs` such children at once.
    pdf_job_seconds: float = 60.0
    pdf_job_memory_mb: int = 1536
    pdf_jobs: int = 2
    public_url: str = "http://127.0.0.1:8000"
    # Not "timezone": Tortoise writes TIMEZONE into os.environ for its own use.
    province_timezone: str = "Asia/Ho_Chi_Minh"

    # Quorum: more than this fraction of the voting members (chair, delegates, points) present.
    quorum_fraction: float = 0.5
    # A vote passes (thông qua) when "Tán thành" is more than half of: "members" — every voting
    # member of the meeting (chair, delegates, points; a deputy stands for the one they replace),
    # as the Law on Local Government asks of a People's Committee; or "present" — those present
    # when the vote closed. The minutes print the rule with each result.
    vote_majority_of: Literal["members", "present"] = "members"
    reminder_minutes: int = 30

    # argon2id cost. Production keeps the library's defaults; tests lower them (never prod).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Login throttling (identity.py): failures per account, and per client address, within the
    # window before each further try waits a backoff (doubling from login_backoff_s).
    login_max_failures: int = 5
    login_address_max_failures: int = 30
    login_window_s: int = 900
    login_backoff_s: int = 30
    login_backoff_max_s: int = 900
    # Sockets one user may hold open on one server process; opinions per user per meeting.
    max_sockets_per_user: int = 20
    max_opinions_per_user: int = 100
    token_ttl_days: int = 30
    # Devices delete what they keep of a meeting (its documents) this many days after it ends.
    offline_keep_days: int = Field(default=7, ge=0, le=3650)

    # Digital signature of generated notices (PAdES, pyHanko); empty = unsigned.
    signing_p12: str = ""
    signing_p12_password: str = ""
    # The issuing body printed on generated notices and minutes.
    issuing_body: str = "ỦY BAN NHÂN DÂN TỈNH"
    issuing_place: str = "Hòa Bình Xanh"

    # Comma-separated in the environment. NoDecode: pydantic-settings would otherwise parse a
    # list field as JSON before _comma_list runs, and RTC_HOSTS=127.0.0.1 would stop the start.
    rtc_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rtc_ice_servers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # A hall not connected this long after its offer is dropped (and shown as failed).
    rtc_ice_timeout_s: float = 20.0
    # Media worker processes, each owning the peer connections of its halls; 0 = all in the
    # server process (enough for ~240 halls of one 720p stream on one core).
    rtc_workers: int = 0

    @field_validator("rtc_hosts", "rtc_ice_servers", mode="before")
    @classmethod
    def _comma_list(cls, v: object) -> object:
        # Environment values are comma-separated, not JSON.
        if isinstance(v, str):
            return [s.strip() for s in v.split(",") if s.strip()]
        return v

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'hop.sqlite3').as_posix()}"

    @property
    def demo_enabled(self) -> bool:
        return self.demo if self.demo is not None else not self.database_url

    @property
    def upload_limit_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024
