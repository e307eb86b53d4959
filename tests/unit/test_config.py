"""Configuration: defaults, environment overrides, one clear line for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


def test_the_shipped_config_is_valid_and_matches_the_defaults() -> None:
    from bot.config import Config

    loaded = load_config(env={}, path=REPO_CONFIG)
    defaults = Config()
    for section in ("bot", "storage", "catalog", "tmdb", "telegram", "discord", "scheduler"):
        assert getattr(loaded, section) == getattr(defaults, section), section


def test_environment_overrides_and_secrets(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://bot:hunter2@db.example:5432/movies",
        "TELEGRAM_BOT_TOKEN": "123456:SECRET-telegram",
        "DISCORD_BOT_TOKEN": "SECRET-discord",
        "TMDB_API_TOKEN": "SECRET-tmdb",
        "MOVIEBOT_ADMINS": "telegram:1, discord:2",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "DISCORD_GUILD_IDS": "11,22",
    }
    config = load_config(env=env, path=REPO_CONFIG)
    assert config.database_url() == env["DATABASE_URL"]
    assert config.bot.admins == ("telegram:1", "discord:2")
    assert config.telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert config.discord.guild_ids == (11, 22)
    assert config.secrets.telegram_token is not None
    assert config.secrets.telegram_token.reveal() == "123456:SECRET-telegram"
    shown = repr(config) + str(config)
    assert "SECRET" not in shown
    assert "hunter2" not in shown


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    config = load_config(env={"XDG_DATA_HOME": str(tmp_path)}, path=REPO_CONFIG)
    assert config.database_url().startswith("sqlite:///")
    assert config.database_url().endswith("moviebot.sqlite3")


@pytest.mark.parametrize(
    ("toml", "names"),
    [
        ("[bot]\npage_sise = 5\n", "bot.page_sise"),
        ("[bot]\npage_size = 'five'\n", "bot.page_size"),
        ("[bot]\npage_size = 0\n", "bot.page_size"),
        ("[bot]\npage_size = true\n", "bot.page_size"),
        ("[storage]\ndatabase_url = 'mysql://x/y'\n", "storage.database_url"),
        ("[tmdb]\napi_base_url = 'not a url'\n", "tmdb.api_base_url"),
        ("[telegram]\nmode = 'carrier-pigeon'\n", "telegram.mode"),
        ("[nope]\nx = 1\n", "[nope]"),
        ("[bot\n", "not valid TOML"),
    ],
)
def test_a_bad_config_stops_with_one_line_naming_the_key(tmp_path: Path, toml: str, names: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(env={"MOVIEBOT_CONFIG": str(path)})
    message = str(err.value)
    assert names in message
    assert "\n" not in message


def test_a_missing_moviebot_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(env={"MOVIEBOT_CONFIG": str(tmp_path / "absent.toml")})


def test_a_bad_database_url_in_the_environment_is_named() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config(env={"DATABASE_URL": "oracle://x"}, path=REPO_CONFIG)
