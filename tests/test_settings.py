"""Settings: sensible defaults on a laptop, a refusal to run half-configured in production."""

from __future__ import annotations

import pytest

from app.server import create_app
from app.settings import ConfigurationError, Settings
from app.web.auth import issue_token


def test_defaults_run_on_a_laptop(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path / 'loketflow.db'}"
    assert settings.broadcast_url == "memory://"
    assert settings.env.value == "development"


def test_plain_database_urls_get_the_async_driver():
    assert (
        Settings(database_url="postgresql://u@h/db").sqlalchemy_url == "postgresql+asyncpg://u@h/db"
    )
    assert (
        Settings(database_url="postgres://u@h/db").sqlalchemy_url == "postgresql+asyncpg://u@h/db"
    )
    assert Settings(database_url="sqlite:///x.db").sqlalchemy_url == "sqlite+aiosqlite:///x.db"


def test_development_secret_is_generated_once_and_shared(tmp_path):
    first = Settings(data_dir=tmp_path).signing_secret()
    second = Settings(data_dir=tmp_path).signing_secret()
    assert first == second and len(first) >= 40
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_way_to_verify_tokens(tmp_path):
    settings = Settings(env="production", data_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="LOKETFLOW_JWT_SECRET"):
        create_app(settings)
    assert settings.signing_secret() is None  # never generated in production
    assert not (tmp_path / "jwt-secret").exists()
    with pytest.raises(ConfigurationError):
        issue_token(settings, "kantoor.admin")


def test_production_accepts_a_secret_or_a_jwks_url(tmp_path):
    Settings(env="production", jwt_secret="s" * 40, data_dir=tmp_path).check_for_serving()
    Settings(
        env="production", jwt_jwks_url="https://idp.example/jwks", jwt_algorithm="RS256"
    ).check_for_serving()
    with pytest.raises(ConfigurationError, match="ALGORITHM"):
        Settings(env="production", jwt_jwks_url="https://idp.example/jwks").check_for_serving()
