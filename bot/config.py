"""Configuration: config.toml for settings, the environment for secrets and overrides.

Read once at start-up, validated, then passed in; nothing reads the environment
later. Any problem stops start-up with one line naming the key. Secrets are
wrapped so that printing, logging or repr() of the config never shows them.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class ConfigError(Exception):
    """A configuration problem, with a one-line message naming the key."""


class Secret:
    """A token or password that never shows itself in logs, errors or reprs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class BotSection:
    page_size: int = 5
    admins: tuple[str, ...] = ()
    log_level: str = "INFO"


@dataclass(frozen=True)
class StorageSection:
    database_url: str = ""
    data_dir: str = ""


@dataclass(frozen=True)
class CatalogSection:
    seed_bundled: bool = True


@dataclass(frozen=True)
class TmdbSection:
    api_base_url: str = "https://api.themoviedb.org/3"
    timeout_seconds: float = 3.0
    language: str = "en-US"


@dataclass(frozen=True)
class TelegramSection:
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    mode: str = "polling"
    webhook_url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443


@dataclass(frozen=True)
class DiscordSection:
    guild_ids: tuple[int, ...] = ()
    sharded: bool = False
    api_base_url: str = ""
    gateway_url: str = ""


@dataclass(frozen=True)
class SchedulerSection:
    enabled: bool = True
    window_hours: float = 6.0
    nudge_after_weeks: int = 4
    retention_days: int = 90
    workers: int = 4
    lease_seconds: float = 300.0


@dataclass(frozen=True)
class Secrets:
    """Everything that comes only from the environment."""

    telegram_token: Secret | None = None
    discord_token: Secret | None = None
    tmdb_token: Secret | None = None
    tmdb_key: Secret | None = None
    redis_url: Secret | None = None
    database_url: Secret | None = None
    telegram_webhook_secret: Secret | None = None

    def values(self) -> list[str]:
        """Every secret that is set, revealed: what the log filter masks (bot.redaction)."""
        return [s.reveal() for s in vars(self).values() if isinstance(s, Secret)]


@dataclass(frozen=True)
class Config:
    bot: BotSection = field(default_factory=BotSection)
    storage: StorageSection = field(default_factory=StorageSection)
    catalog: CatalogSection = field(default_factory=CatalogSection)
    tmdb: TmdbSection = field(default_factory=TmdbSection)
    telegram: TelegramSection = field(default_factory=TelegramSection)
    discord: DiscordSection = field(default_factory=DiscordSection)
    scheduler: SchedulerSection = field(default_factory=SchedulerSection)
    secrets: Secrets = field(default_factory=Secrets)
    source: str = "defaults"

    @property
    def data_dir(self) -> Path:
        if self.storage.data_dir:
            return Path(self.storage.data_dir).expanduser()
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "moviebot"

    def database_url(self) -> str:
        """The URL to connect to (may hold a password: never log it)."""
        if self.secrets.database_url is not None:
            return self.secrets.database_url.reveal()
        if self.storage.database_url:
            return self.storage.database_url
        return f"sqlite:///{self.data_dir / 'moviebot.sqlite3'}"


_SECTIONS: dict[str, type[Any]] = {
    "bot": BotSection,
    "storage": StorageSection,
    "catalog": CatalogSection,
    "tmdb": TmdbSection,
    "telegram": TelegramSection,
    "discord": DiscordSection,
    "scheduler": SchedulerSection,
}

_CHOICES: dict[str, tuple[str, ...]] = {
    "bot.log_level": ("DEBUG", "INFO", "WARNING", "ERROR"),
    "telegram.mode": ("polling", "webhook"),
}
_RANGES: dict[str, tuple[float, float]] = {
    "bot.page_size": (1, 10),
    "tmdb.timeout_seconds": (0.1, 60),
    "telegram.port": (1, 65535),
    "scheduler.window_hours": (0.25, 48),
    "scheduler.nudge_after_weeks": (1, 52),
    "scheduler.retention_days": (7, 3650),
    "scheduler.workers": (1, 32),
    "scheduler.lease_seconds": (2, 3600),
}
_URLS = (
    "tmdb.api_base_url",
    "telegram.api_base_url",
    "telegram.file_base_url",
    "telegram.webhook_url",
    "discord.api_base_url",
    "discord.gateway_url",
)


def _check_value(key: str, value: Any, default: Any) -> Any:
    """Validate one value against its default's type and the key's rules."""
    kind = type(default)
    if kind is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"config error: {key} must be a list")
        item_type = int if key == "discord.guild_ids" else str
        if not all(isinstance(v, item_type) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"config error: {key} must be a list of {item_type.__name__}")
        value = tuple(value)
    elif kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"config error: {key} must be {kind.__name__}, got {type(value).__name__} {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ConfigError(f"config error: {key} must be one of {', '.join(_CHOICES[key])}, got {value!r}")
    if key in _RANGES and not _RANGES[key][0] <= value <= _RANGES[key][1]:
        lo, hi = _RANGES[key]
        raise ConfigError(f"config error: {key} must be between {lo:g} and {hi:g}, got {value!r}")
    if key in _URLS and value:
        _check_url(key, value, ("http", "https", "ws", "wss"))
    if key == "storage.database_url" and value:
        _check_url(key, value, ("sqlite", "sqlite+aiosqlite", "postgresql", "postgres", "postgresql+asyncpg"))
    return value


def _check_url(key: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or (not parts.netloc and not parts.scheme.startswith("sqlite")):
        raise ConfigError(f"config error: {key} is not a valid URL ({'/'.join(schemes)})")


def _section(name: str, raw: Any, overrides: Mapping[str, Any]) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(raw, dict):
        raise ConfigError(f"config error: [{name}] must be a table")
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in defaults:
            raise ConfigError(f"config error: unknown key {name}.{key}")
    merged = {**raw, **{k: v for k, v in overrides.items() if k in defaults}}
    return cls(**{k: _check_value(f"{name}.{k}", v, defaults[k]) for k, v in merged.items()})


def _env_overrides(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    if "MOVIEBOT_ADMINS" in env:
        out["bot"]["admins"] = [a.strip() for a in env["MOVIEBOT_ADMINS"].split(",") if a.strip()]
    for var, (section, key) in {
        "TMDB_API_BASE_URL": ("tmdb", "api_base_url"),
        "TELEGRAM_API_BASE_URL": ("telegram", "api_base_url"),
        "TELEGRAM_FILE_BASE_URL": ("telegram", "file_base_url"),
        "DISCORD_API_BASE_URL": ("discord", "api_base_url"),
        "DISCORD_GATEWAY_URL": ("discord", "gateway_url"),
    }.items():
        if env.get(var):
            out[section][key] = env[var]
    if env.get("DISCORD_GUILD_IDS"):
        try:
            out["discord"]["guild_ids"] = [int(g) for g in env["DISCORD_GUILD_IDS"].split(",") if g.strip()]
        except ValueError:
            raise ConfigError("config error: DISCORD_GUILD_IDS must be comma-separated numbers") from None
    return out


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name, "").strip()
    return Secret(value) if value else None


def load_config(env: Mapping[str, str] | None = None, path: Path | None = None) -> Config:
    """Read config.toml (or MOVIEBOT_CONFIG) and the environment into a validated Config."""
    env = os.environ if env is None else env
    if path is None:
        path = Path(env["MOVIEBOT_CONFIG"]) if env.get("MOVIEBOT_CONFIG") else DEFAULT_CONFIG
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config error: {path} is not valid TOML: {exc}") from None
    elif env.get("MOVIEBOT_CONFIG"):
        raise ConfigError(f"config error: MOVIEBOT_CONFIG points at {path}, which does not exist")
    for name in raw:
        if name not in _SECTIONS:
            raise ConfigError(f"config error: unknown section [{name}]")
    overrides = _env_overrides(env)
    sections = {name: _section(name, raw.get(name, {}), overrides[name]) for name in _SECTIONS}
    if env.get("DATABASE_URL"):
        _check_url(
            "DATABASE_URL",
            env["DATABASE_URL"],
            ("sqlite", "sqlite+aiosqlite", "postgresql", "postgres", "postgresql+asyncpg"),
        )
    secrets = Secrets(
        telegram_token=_secret(env, "TELEGRAM_BOT_TOKEN"),
        discord_token=_secret(env, "DISCORD_BOT_TOKEN"),
        tmdb_token=_secret(env, "TMDB_API_TOKEN"),
        tmdb_key=_secret(env, "TMDB_API_KEY"),
        redis_url=_secret(env, "REDIS_URL"),
        database_url=_secret(env, "DATABASE_URL"),
        telegram_webhook_secret=_secret(env, "TELEGRAM_WEBHOOK_SECRET"),
    )
    return Config(**sections, secrets=secrets, source=str(path) if path.exists() else "defaults")
