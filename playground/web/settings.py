"""Server settings, read from the environment (prefix ``PLAYGROUND_``).

Every operational limit of the web layer lives here so an operator can tune a
classroom server without touching code, e.g. ``PLAYGROUND_MAX_SESSIONS=100``.
Run limits (network size, points, ...) are the engine's and live in
:mod:`playground.config`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Limits and switches of one server worker (each worker reads them on start)."""

    model_config = SettingsConfigDict(env_prefix="PLAYGROUND_", extra="ignore", frozen=True)

    # Sessions
    max_sessions: int = Field(default=64, ge=1, le=10_000, description="live sessions per worker")
    max_runs: int = Field(default=4, ge=1, le=16, description="runs per live session (forks, A/B)")
    checkpoint_kib: int = Field(
        default=2048, ge=0, le=65_536, description="timeline checkpoint memory per run, KiB"
    )
    checkpoint_every: int = Field(
        default=100, ge=1, le=100_000, description="steps between timeline checkpoints"
    )
    idle_timeout: float = Field(
        default=900.0,
        gt=0,
        le=86_400,
        description="seconds without any client message before closing",
    )
    shutdown_grace: float = Field(
        default=5.0,
        ge=0,
        le=120,
        description="seconds a stop (SIGTERM) waits for pages to get their snapshot",
    )
    # Pacing
    max_fps: float = Field(default=30.0, gt=0, le=240, description="frames per second per client")
    chunk_ms: float = Field(
        default=4.0, gt=0, le=100, description="training work between two yields to the event loop"
    )
    # Fairness (offload.py, scheduler.py)
    coschedule: bool = Field(
        default=True,
        description="train the playing runs of a worker's sessions that share a shape as one "
        "stack, and build their frames in the same batch (exact results per session)",
    )
    class_memo_mib: int = Field(
        default=64,
        ge=0,
        le=4096,
        description="MiB of states and pictures a worker keeps of runs that pages play "
        "identically from their start (a class on one lesson), so each is computed once; "
        "0 = off (needs coschedule)",
    )
    work_threads: int = Field(
        default=2, ge=1, le=64, description="threads that run live-session work per worker"
    )
    express_threads: int = Field(
        default=1,
        ge=0,
        le=64,
        description="extra threads only light sessions may use, so they never wait behind "
        "heavy work",
    )
    session_light_share: float = Field(
        default=0.2,
        gt=0,
        le=64,
        description="a session using less than this many CPU-seconds per second is light",
    )
    session_cpu_share: float = Field(
        default=0.5,
        gt=0,
        le=64,
        description="CPU-seconds per second one live session may use on average",
    )
    session_cpu_burst: float = Field(
        default=0.5, gt=0, le=60, description="CPU-seconds a live session may bank for a burst"
    )
    work_nice: int = Field(
        default=0,
        ge=0,
        le=19,
        description="how much lower the CPU priority of work threads is than the event loop's "
        "(on a machine shared with other programs this also lowers them against those)",
    )
    blas_threads: int = Field(
        default=1,
        ge=0,
        le=256,
        description="threads BLAS (matrix products) may use in a server process; 0 = as is",
    )
    switch_interval_ms: float = Field(
        default=1.0,
        gt=0,
        le=100,
        description="how often a work thread must offer the GIL to the event loop",
    )
    max_sessions_per_client: int = Field(
        default=32,
        ge=1,
        le=10_000,
        description="live sessions per client address per worker (a class behind one NAT "
        "address counts as one client)",
    )
    rest_max_jobs: int = Field(
        default=2, ge=1, le=64, description="data set / point file requests running per worker"
    )
    rest_max_queued: int = Field(
        default=32,
        ge=0,
        le=10_000,
        description="data set / point file requests waiting per worker; more get 503",
    )
    snapshot_every_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="a playing page asks for a session snapshot this often (for reconnects)",
    )
    snapshot_every_steps: int = Field(
        default=500,
        ge=1,
        le=1_000_000,
        description="... or after this many steps, whichever comes first",
    )
    loop_probe: bool = Field(
        default=False, description="measure event-loop stalls (loop_stall_ms in /api/health)"
    )
    # Input limits
    max_message_bytes: int = Field(
        default=1_048_576, ge=1024, le=16_777_216, description="largest accepted client message"
    )
    rate_limit: float = Field(
        default=100.0, gt=0, description="client messages per second, sustained"
    )
    rate_burst: int = Field(default=200, ge=1, description="client messages accepted in a burst")
    abuse_limit: int = Field(
        default=50,
        ge=1,
        description="rejected messages within abuse_window before the socket is closed",
    )
    oversize_limit: int = Field(
        default=3,
        ge=1,
        description="oversized messages within abuse_window before the socket is closed",
    )
    abuse_window: float = Field(
        default=10.0, gt=0, description="seconds over which rejections count"
    )
    send_timeout: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="seconds a client may leave one frame or reply unread before it is closed",
    )
    max_body_bytes: int = Field(
        default=2_097_152, ge=1024, le=268_435_456, description="largest accepted REST body"
    )
    # Headless runs (POST /api/train)
    train_max_epochs: int = Field(default=1000, ge=1, le=100_000)
    train_time_budget: float = Field(
        default=10.0, gt=0, le=600, description="seconds per headless run"
    )
    view_time_budget: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="seconds per loss landscape or LR range test (REST and live)",
    )
    train_max_jobs: int = Field(
        default=2, ge=1, le=64, description="concurrent headless runs per worker"
    )
    # Lessons
    lessons_dir: str = Field(
        default="",
        description="a folder of the teacher's own lesson files (*.toml), beside the "
        "built-in ones; nn-playground serve --lessons DIR sets it",
    )
    # HTTP
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="seconds a client may take to send a request's headers before it is closed",
    )
    keep_alive: int = Field(
        default=5, ge=1, le=600, description="seconds an idle keep-alive connection stays open"
    )
    max_connections: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="open connections and requests per worker; more are answered 503",
    )
    allowed_hosts: str = Field(
        default="*",
        description="comma-separated Host names this server answers to ('*' = any); "
        "`nn-playground serve` on a loopback address defaults to localhost names",
    )
    frame_ancestors: str = Field(
        default="'self'",
        description="CSP frame-ancestors: who may embed the page, e.g. "
        "\"'self' https://lessons.example.org\" ('none' = nobody)",
    )
    log_burst: int = Field(
        default=20, ge=1, description="log lines of one kind per log_window before suppressing"
    )
    log_window: float = Field(default=10.0, gt=0, description="seconds of the log_burst window")
    allowed_origins: str = Field(
        default="",
        description="comma-separated extra origins allowed to open /ws and call the API "
        "cross-site; '*' = any",
    )
    ws_deflate: bool = Field(default=True, description="permessage-deflate on the WebSocket")
    ws_deflate_max_bytes: int = Field(
        default=65_536,
        ge=0,
        le=16_777_216,
        description="larger WebSocket messages are sent uncompressed (deflating them would "
        "hold the event loop; the largest frames barely compress)",
    )
    ws_deflate_level: int = Field(
        default=1,
        ge=1,
        le=9,
        description="zlib level of permessage-deflate: on a frame 1 took two thirds of 6's "
        "time for a 5 % larger message",
    )
    malloc_keep_mib: int = Field(
        default=64,
        ge=0,
        le=4096,
        description="MiB of freed memory the C heap keeps for reuse instead of handing it "
        "back at once (glibc); 0 = the C library's default",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = Field(
        default="info", description="uvicorn log level"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="log lines as text, or one JSON object per line"
    )

    @field_validator("frame_ancestors")
    @classmethod
    def _one_directive(cls, value: str) -> str:
        """Sources only: a ``;``, ``,`` or line break would smuggle in another header part."""
        if not value.strip() or any(c in value for c in ";,\r\n"):
            raise ValueError("frame_ancestors must be CSP sources separated by spaces")
        return value.strip()

    @property
    def origins(self) -> list[str]:
        """``allowed_origins`` as a list (a plain string keeps the environment format simple)."""
        parts = (part.strip().rstrip("/") for part in self.allowed_origins.split(","))
        return [part for part in parts if part]

    @property
    def hosts(self) -> list[str]:
        """``allowed_hosts`` as a list for Starlette's ``TrustedHostMiddleware``."""
        return [part.strip() for part in self.allowed_hosts.split(",") if part.strip()] or ["*"]

    def public_limits(self) -> dict[str, float | int]:
        """The limits a client must respect, as sent in ``hello`` and ``/api/options``."""
        return {
            "max_fps": self.max_fps,
            "max_message_bytes": self.max_message_bytes,
            "max_body_bytes": self.max_body_bytes,
            "send_timeout": self.send_timeout,
            "rate_limit": self.rate_limit,
            "rate_burst": self.rate_burst,
            "idle_timeout": self.idle_timeout,
            "max_sessions": self.max_sessions,
            "max_runs": self.max_runs,
            "checkpoint_kib": self.checkpoint_kib,
            "train_max_epochs": self.train_max_epochs,
            "train_time_budget": self.train_time_budget,
            "max_sessions_per_client": self.max_sessions_per_client,
            "session_cpu_share": self.session_cpu_share,
            "snapshot_every_seconds": self.snapshot_every_seconds,
            "snapshot_every_steps": self.snapshot_every_steps,
            "view_time_budget": self.view_time_budget,
        }
