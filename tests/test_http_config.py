"""config.Settings: defaults, .env handling, and fail-fast validation naming the variable."""

import doctest

import pytest

import config
from config import ConfigError, Settings


def settings(env=None, **kwargs):
    return Settings.from_env(env or {}, dotenv_path=None, **kwargs)


def problem_names(env):
    with pytest.raises(ConfigError) as info:
        settings(env)
    return [name for name, _ in info.value.problems], str(info.value)


def test_defaults_are_local_development():
    s = settings()
    assert (s.host, s.port, s.app_type, s.log_level) == ("localhost", 3978, "MultiTenant", "INFO")
    assert not s.auth_enabled
    assert s.database_url == f"sqlite:///{config.REPO_ROOT / 'data' / 'coop.sqlite3'}"
    assert s.database_kind == "sqlite"
    assert s.fy_label_convention == "microsoft"
    assert (s.reminder_sweep_hour, s.reminder_sweep_enabled) == (9, True)
    assert s.tenant_rate_per_sec == 5.0
    assert s.public_base_url == "http://localhost:3978"
    assert s.admin_token is None


def test_bot_framework_names_and_values_are_read():
    s = settings({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", "PORT": "8080",
                  "HOST": "0.0.0.0", "MicrosoftAppType": "singletenant",
                  "MicrosoftAppTenantId": "tenant", "LOG_LEVEL": "debug",
                  "FY_LABEL_CONVENTION": "Microsoft", "REMINDER_SWEEP_HOUR": "23",
                  "REMINDER_SWEEP_ENABLED": "off", "TENANT_RATE_PER_SEC": "2.5",
                  "PUBLIC_BASE_URL": "https://bot.example.com/", "ADMIN_TOKEN": "x" * 16,
                  "DATABASE_URL": "postgresql://u:secret@db/coop"})
    assert s.auth_enabled and s.app_type == "SingleTenant"
    assert (s.APP_ID, s.APP_PASSWORD, s.APP_TYPE, s.APP_TENANTID) == ("app", "pw", "SingleTenant",
                                                                      "tenant")
    assert (s.port, s.host, s.log_level, s.fy_label_convention) == (8080, "0.0.0.0", "DEBUG",
                                                                     "microsoft")
    assert (s.reminder_sweep_hour, s.reminder_sweep_enabled, s.tenant_rate_per_sec) == (23, False, 2.5)
    assert s.public_base_url == "https://bot.example.com"
    assert s.database_kind == "postgresql"
    # secrets stay out of repr (settings get logged)
    assert "pw" not in repr(s) and "secret" not in repr(s) and "x" * 16 not in repr(s)


@pytest.mark.parametrize("env, variable", [
    ({"PORT": "abc"}, "PORT"),
    ({"PORT": "0"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"MicrosoftAppId": "app"}, "MicrosoftAppPassword"),
    ({"MicrosoftAppPassword": "pw"}, "MicrosoftAppId"),
    ({"MicrosoftAppType": "Weird"}, "MicrosoftAppType"),
    ({"MicrosoftAppType": "SingleTenant", "MicrosoftAppId": "a", "MicrosoftAppPassword": "p"},
     "MicrosoftAppTenantId"),
    ({"MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t"}, "MicrosoftAppId"),
    ({"DATABASE_URL": "mysql://db/coop"}, "DATABASE_URL"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"FY_LABEL_CONVENTION": "calendar"}, "FY_LABEL_CONVENTION"),
    ({"REMINDER_SWEEP_HOUR": "24"}, "REMINDER_SWEEP_HOUR"),
    ({"REMINDER_SWEEP_HOUR": "nine"}, "REMINDER_SWEEP_HOUR"),
    ({"REMINDER_SWEEP_ENABLED": "maybe"}, "REMINDER_SWEEP_ENABLED"),
    ({"TENANT_RATE_PER_SEC": "0"}, "TENANT_RATE_PER_SEC"),
    ({"TENANT_RATE_PER_SEC": "fast"}, "TENANT_RATE_PER_SEC"),
    ({"PUBLIC_BASE_URL": "bot.example.com"}, "PUBLIC_BASE_URL"),
    ({"ADMIN_TOKEN": "short"}, "ADMIN_TOKEN"),
])
def test_bad_value_fails_fast_naming_the_variable(env, variable):
    names, message = problem_names(env)
    assert names == [variable]
    assert f"  {variable}: " in message


def test_all_problems_are_reported_at_once_without_echoing_secrets():
    names, message = problem_names({"PORT": "abc", "MicrosoftAppId": "app",
                                    "ADMIN_TOKEN": "tiny-secret"})
    assert sorted(names) == ["ADMIN_TOKEN", "MicrosoftAppPassword", "PORT"]
    assert "tiny-secret" not in message


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError, match="PORT"):
        Settings(port=0)


def test_dotenv_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nHOST=dotenv-host\nMicrosoftAppId=\n")
    s = Settings.from_env({"HOST": "env-host"}, dotenv_path=env_file)
    assert (s.port, s.host) == (4000, "env-host")
    # an empty value counts as unset, as in the samples' .env templates
    assert not s.auth_enabled


def test_missing_dotenv_file_is_fine(tmp_path):
    assert Settings.from_env({}, dotenv_path=tmp_path / "absent.env").port == 3978


def test_config_doctests():
    assert doctest.testmod(config).failed == 0


def test_the_postgresql_pool_size_is_a_setting_with_a_clear_error():
    from config import Settings

    assert Settings.from_env({}, dotenv_path=None).db_pool_size == 32
    assert Settings.from_env({"DB_POOL_SIZE": "64"}, dotenv_path=None).db_pool_size == 64
    for bad in ("0", "-3", "many", "1001"):
        with pytest.raises(ConfigError, match="DB_POOL_SIZE"):
            Settings.from_env({"DB_POOL_SIZE": bad}, dotenv_path=None)


async def test_the_product_database_opens_its_pool_at_the_configured_size():
    import services
    from config import Settings
    from storage.testing import POSTGRES_TEST_URL, scratch_database

    async with scratch_database(POSTGRES_TEST_URL) as place:
        url = f"{POSTGRES_TEST_URL}?search_path={place.schema}" if place.schema else place.url
        db = await services.open_database(Settings.from_env({"DATABASE_URL": url, "DB_POOL_SIZE": "3"}, dotenv_path=None))
        try:
            assert db._pool.get_max_size() == 3  # noqa: SLF001
        finally:
            await db.close()
