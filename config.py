"""Settings read from the environment (``.env`` beside this file is honoured).

The Bot Framework names (``MicrosoftAppId`` & co.) are the ones every Bot Framework sample
uses, so an existing Azure Bot registration can be pasted in unchanged. Everything is
validated once, at start-up: a bad value stops the process with a message naming the
variable, instead of failing on the first request.

Only the standard library and python-dotenv are imported here: the CLI (``python app.py
ask``) loads settings too and must start fast.

>>> s = Settings.from_env({"PORT": "8080"}, dotenv_path=None)
>>> (s.host, s.port, s.public_base_url, s.auth_enabled)
('localhost', 8080, 'http://localhost:8080', False)
>>> Settings.from_env({"PORT": "abc"}, dotenv_path=None)
Traceback (most recent call last):
...
config.ConfigError: invalid configuration:
  PORT: must be an integer between 1 and 65535, got 'abc'
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

__version__ = "0.1.0"

REPO_ROOT = Path(__file__).resolve().parent
DOTENV_PATH = REPO_ROOT / ".env"
DEFAULT_DATABASE_PATH = REPO_ROOT / "data" / "coop.sqlite3"
# SQLAlchemy-style URL: three slashes, then the absolute path (which starts with its own "/").
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_DATABASE_PATH.as_posix()}"
DEFAULT_SUPPORT_JOBS_DIR = REPO_ROOT / "data" / "support-jobs"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")

APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant",
             "userassignedmsi": "UserAssignedMSI"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
FY_LABEL_CONVENTIONS = ("seed", "microsoft")
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
DEFAULT_DB_POOL_SIZE = 32
MAX_DB_POOL_SIZE = 1000
ADMIN_TOKEN_MIN_LENGTH = 16

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """One or more settings are invalid; ``problems`` holds (variable, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        lines = "\n".join(f"  {name}: {message}" for name, message in self.problems)
        super().__init__(f"invalid configuration:\n{lines}")


@dataclass(frozen=True)
class Settings:
    """Validated process settings. Build with :meth:`from_env`, or directly in tests.

    Field <- environment variable (default):

    - ``app_id`` <- ``MicrosoftAppId`` (empty: local-development mode, no authentication)
    - ``app_password`` <- ``MicrosoftAppPassword``
    - ``app_type`` <- ``MicrosoftAppType`` (``MultiTenant``; or ``SingleTenant``,
      ``UserAssignedMSI``)
    - ``app_tenant_id`` <- ``MicrosoftAppTenantId`` (required for the last two types)
    - ``host`` <- ``HOST`` (``localhost``), ``port`` <- ``PORT`` (3978)
    - ``database_url`` <- ``DATABASE_URL`` (``sqlite:///<repo>/data/coop.sqlite3``;
      ``postgresql://...`` for several instances). The directory is not created here.
    - ``log_level`` <- ``LOG_LEVEL`` (``INFO``)
    - ``fy_label_convention`` <- ``FY_LABEL_CONVENTION`` (``microsoft``, SPEC rule 8; or ``seed``, the co-op page's 2020 labelling)
    - ``reminder_sweep_hour`` <- ``REMINDER_SWEEP_HOUR`` (9, hour of day in UTC)
    - ``reminder_sweep_enabled`` <- ``REMINDER_SWEEP_ENABLED`` (true)
    - ``tenant_rate_per_sec`` <- ``TENANT_RATE_PER_SEC`` (5 proactive messages per second per
      tenant, well under the Teams per-app limits), for all instances together (the bucket
      is kept in the database)
    - ``log_format`` <- ``LOG_FORMAT`` (``text``; or ``json``: one JSON object per line)
    - ``applicationinsights_connection_string`` <- ``APPLICATIONINSIGHTS_CONNECTION_STRING``
      (unset: no export; set: Azure Monitor, with the optional azure-monitor-opentelemetry)
    - ``public_base_url`` <- ``PUBLIC_BASE_URL`` (``http://HOST:PORT``), for calendar links
    - ``admin_token`` <- ``ADMIN_TOKEN`` (unset: operator routes are disabled)
    - ``support_oidc_issuer``, ``support_oidc_client_id``, ``support_oidc_client_secret``,
      ``support_allowed_group`` <- ``SUPPORT_OIDC_ISSUER``, ``SUPPORT_OIDC_CLIENT_ID``,
      ``SUPPORT_OIDC_CLIENT_SECRET``, ``SUPPORT_ALLOWED_GROUP``: the support desk's sign-in
      (Entra ID); all four or none. None and no ``SUPPORT_LOCAL_DEV``: the page is off (404).
    - ``support_local_dev`` <- ``SUPPORT_LOCAL_DEV`` (false): the support desk without sign-in,
      refused unless ``HOST`` is a loopback address
    - ``support_jobs_dir`` <- ``SUPPORT_JOBS_DIR`` (``<repo>/data/support-jobs``): uploaded and
      answered batch files
    - ``support_login_rate_per_minute`` <- ``SUPPORT_LOGIN_RATE_PER_MINUTE`` (20): sign-in
      starts (``GET /support/login``) one client address may make per minute (then 429)
    - ``support_upload_quota_mb`` <- ``SUPPORT_UPLOAD_QUOTA_MB`` (2000): what one user's
      exports (uploads and answered results) may take in the jobs folder; an upload beyond it
      is refused (413)
    - ``support_jobs_retention_days`` <- ``SUPPORT_JOBS_RETENTION_DAYS`` (30): finished exports
      are deleted (files and job) this many days after they finished (0: kept)
    - ``db_statement_timeout`` <- ``DB_STATEMENT_TIMEOUT_SECONDS`` (5): a database call that
      has not answered by then fails (the turn apologises) instead of hanging
    - ``db_connect_timeout`` <- ``DB_CONNECT_TIMEOUT_SECONDS`` (5): opening one connection
    - ``db_startup_wait`` <- ``DB_STARTUP_WAIT_SECONDS`` (60): how long start-up retries a
      database that is not reachable yet (0: fail at once)
    - ``db_pool_size`` <- ``DB_POOL_SIZE`` (32): PostgreSQL connections one instance keeps at
      most; a statement waits for a free one, and a connection stays taken until its turn's
      task runs again, so under load it should be above the turns in flight (SQLite: unused)
    - ``reminder_lease_seconds`` <- ``REMINDER_LEASE_SECONDS`` (60): how long a sweeper's claim
      on a reminder lasts without renewal (a sweeper that died loses its claims after that)
    - ``reminder_heartbeat_seconds`` <- ``REMINDER_HEARTBEAT_SECONDS`` (20): how often a live
      sweeper renews its claims; must be below the lease
    - ``reminder_retry_seconds`` <- ``REMINDER_RETRY_SECONDS`` (120): how soon the server's
      sweeper comes back for reminders a sweep could not finish
    - ``state_retention_days`` <- ``STATE_RETENTION_DAYS`` (90): conversation and user state
      that no turn has read or written for this many days is deleted by a periodic job
      (0: kept until "forget my data")
    - ``lang_path`` <- ``COOP_LANG_PATH`` (unset: the built-in language packs only): folders
      of extra language packs, separated by ``os.pathsep``; :meth:`register_language_packs`
      hands them to ``understanding.registry``

    The upper-case properties (``APP_ID``, ``APP_PASSWORD``, ``APP_TYPE``, ``APP_TENANTID``)
    let botbuilder's ``ConfigurationBotFrameworkAuthentication(settings)`` read this object as
    it reads the samples' ``DefaultConfig``.
    """

    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    host: str = "localhost"
    port: int = 3978
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    log_level: str = "INFO"
    fy_label_convention: str = "microsoft"
    reminder_sweep_hour: int = 9
    reminder_sweep_enabled: bool = True
    tenant_rate_per_sec: float = 5.0
    public_base_url: str = ""
    admin_token: str | None = field(default=None, repr=False)
    support_oidc_issuer: str = ""
    support_oidc_client_id: str = ""
    support_oidc_client_secret: str = field(default="", repr=False)
    support_allowed_group: str = ""
    support_local_dev: bool = False
    support_jobs_dir: str = str(DEFAULT_SUPPORT_JOBS_DIR)
    support_login_rate_per_minute: int = 20
    support_upload_quota_mb: int = 2000
    support_jobs_retention_days: int = 30
    db_statement_timeout: float = 5.0
    db_connect_timeout: float = 5.0
    db_startup_wait: float = 60.0
    db_pool_size: int = DEFAULT_DB_POOL_SIZE
    reminder_lease_seconds: float = 60.0
    reminder_heartbeat_seconds: float = 20.0
    reminder_retry_seconds: float = 120.0
    state_retention_days: int = 90
    log_format: str = "text"
    applicationinsights_connection_string: str | None = field(default=None, repr=False)
    lang_path: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        for env_name, attribute, _default in _SECONDS:
            value = getattr(self, attribute)
            zero_ok = env_name in _MAY_BE_ZERO
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok)):
                problems.append((env_name, f"must be a number of seconds "
                                           f"{'>= 0' if zero_ok else '> 0'}, got {value!r}"))
        app_type = APP_TYPES.get(str(self.app_type).lower())
        if app_type is None:
            problems.append(("MicrosoftAppType",
                             f"must be one of {', '.join(APP_TYPES.values())}, "
                             f"got {self.app_type!r}"))
        else:
            object.__setattr__(self, "app_type", app_type)
            problems += _credential_problems(self.app_id, self.app_password, app_type,
                                             self.app_tenant_id)
        if not self.host:
            problems.append(("HOST", "must not be empty"))
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            problems.append(("PORT", f"must be an integer between 1 and 65535, got {self.port!r}"))
        scheme = urlsplit(self.database_url).scheme.split("+")[0].lower()
        if scheme not in DATABASE_SCHEMES:
            problems.append(("DATABASE_URL", "must start with sqlite:/// or postgresql://, "
                                             f"got scheme {scheme!r}"))
        level = str(self.log_level).upper()
        if level not in LOG_LEVELS:
            problems.append(("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, "
                                          f"got {self.log_level!r}"))
        else:
            object.__setattr__(self, "log_level", level)
        log_format = str(self.log_format).lower()
        if log_format not in LOG_FORMATS:
            problems.append(("LOG_FORMAT", f"must be 'text' or 'json', got {self.log_format!r}"))
        else:
            object.__setattr__(self, "log_format", log_format)
        convention = str(self.fy_label_convention).lower()
        if convention not in FY_LABEL_CONVENTIONS:
            problems.append(("FY_LABEL_CONVENTION", "must be 'seed' or 'microsoft', "
                                                    f"got {self.fy_label_convention!r}"))
        else:
            object.__setattr__(self, "fy_label_convention", convention)
        if not isinstance(self.reminder_sweep_hour, int) or not 0 <= self.reminder_sweep_hour <= 23:
            problems.append(("REMINDER_SWEEP_HOUR", "must be an integer hour between 0 and 23 "
                                                    f"(UTC), got {self.reminder_sweep_hour!r}"))
        if not isinstance(self.tenant_rate_per_sec, (int, float)) or not self.tenant_rate_per_sec > 0:
            problems.append(("TENANT_RATE_PER_SEC", "must be a number greater than 0, "
                                                    f"got {self.tenant_rate_per_sec!r}"))
        base = self.public_base_url or f"http://{self.host}:{self.port}"
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(("PUBLIC_BASE_URL", f"must be an http(s) URL, got {base!r}"))
        object.__setattr__(self, "public_base_url", base.rstrip("/"))
        if self.admin_token is not None and len(self.admin_token) < ADMIN_TOKEN_MIN_LENGTH:
            # Never echo the token itself.
            problems.append(("ADMIN_TOKEN", f"must be at least {ADMIN_TOKEN_MIN_LENGTH} "
                                            "characters long (or unset to disable operator routes)"))
        problems += _support_problems(self)
        if (isinstance(self.db_pool_size, bool) or not isinstance(self.db_pool_size, int)
                or not 1 <= self.db_pool_size <= MAX_DB_POOL_SIZE):
            problems.append(("DB_POOL_SIZE", f"must be a whole number from 1 to {MAX_DB_POOL_SIZE}, "
                                             f"got {self.db_pool_size!r}"))
        for env_name, attribute, _default in _DAYS:
            value = getattr(self, attribute)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append((env_name, f"must be a whole number of days >= 0, got {value!r}"))
        if (isinstance(self.reminder_heartbeat_seconds, (int, float))
                and isinstance(self.reminder_lease_seconds, (int, float))
                and self.reminder_heartbeat_seconds >= self.reminder_lease_seconds):
            problems.append(("REMINDER_HEARTBEAT_SECONDS",
                             f"must be less than REMINDER_LEASE_SECONDS "
                             f"({self.reminder_lease_seconds!r}), got "
                             f"{self.reminder_heartbeat_seconds!r}"))
        object.__setattr__(self, "lang_path", tuple(str(p) for p in self.lang_path))
        for folder in self.lang_path:
            if not Path(folder).is_dir():
                problems.append(("COOP_LANG_PATH", f"must name existing folders, {folder!r} is not one"))
        if problems:
            raise ConfigError(problems)

    # --- construction from the environment -------------------------------------------------

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *,
                 dotenv_path: Path | None = DOTENV_PATH) -> "Settings":
        """Read settings from ``environ`` (default: ``os.environ``) over the ``.env`` file.

        Variables already in the environment win over ``.env``; empty values count as unset.
        The process environment is not modified. Pass ``dotenv_path=None`` to ignore ``.env``.
        """
        values: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        env = {k: v.strip() for k, v in values.items() if isinstance(v, str) and v.strip()}

        problems: list[tuple[str, str]] = []
        kwargs: dict[str, object] = {
            "app_id": env.get("MicrosoftAppId", ""),
            "app_password": env.get("MicrosoftAppPassword", ""),
            "app_type": env.get("MicrosoftAppType", "MultiTenant"),
            "app_tenant_id": env.get("MicrosoftAppTenantId", ""),
            "host": env.get("HOST", "localhost"),
            "database_url": env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            "log_level": env.get("LOG_LEVEL", "INFO"),
            "fy_label_convention": env.get("FY_LABEL_CONVENTION", "microsoft"),
            "public_base_url": env.get("PUBLIC_BASE_URL", ""),
            "admin_token": env.get("ADMIN_TOKEN"),
            "support_oidc_issuer": env.get("SUPPORT_OIDC_ISSUER", ""),
            "support_oidc_client_id": env.get("SUPPORT_OIDC_CLIENT_ID", ""),
            "support_oidc_client_secret": env.get("SUPPORT_OIDC_CLIENT_SECRET", ""),
            "support_allowed_group": env.get("SUPPORT_ALLOWED_GROUP", ""),
            "support_jobs_dir": env.get("SUPPORT_JOBS_DIR", str(DEFAULT_SUPPORT_JOBS_DIR)),
            "log_format": env.get("LOG_FORMAT", "text"),
            "applicationinsights_connection_string":
                env.get("APPLICATIONINSIGHTS_CONNECTION_STRING"),
            "lang_path": tuple(p for p in env.get("COOP_LANG_PATH", "").split(os.pathsep) if p.strip()),
        }
        kwargs["support_local_dev"] = _parse(env, "SUPPORT_LOCAL_DEV", False, _bool,
                                             "true or false", problems)
        kwargs["port"] = _parse(env, "PORT", 3978, int, "an integer between 1 and 65535", problems)
        kwargs["support_login_rate_per_minute"] = _parse(
            env, "SUPPORT_LOGIN_RATE_PER_MINUTE", 20, int, "a whole number > 0", problems)
        kwargs["support_upload_quota_mb"] = _parse(
            env, "SUPPORT_UPLOAD_QUOTA_MB", 2000, int, "a whole number of megabytes > 0", problems)
        kwargs["reminder_sweep_hour"] = _parse(env, "REMINDER_SWEEP_HOUR", 9, int,
                                               "an integer hour between 0 and 23 (UTC)", problems)
        kwargs["reminder_sweep_enabled"] = _parse(env, "REMINDER_SWEEP_ENABLED", True, _bool,
                                                  "true or false", problems)
        kwargs["tenant_rate_per_sec"] = _parse(env, "TENANT_RATE_PER_SEC", 5.0, float,
                                               "a number greater than 0", problems)
        for env_name, attribute, default in _SECONDS:
            kwargs[attribute] = _parse(env, env_name, default, float, "a number of seconds",
                                       problems)
        for env_name, attribute, default in _DAYS:
            kwargs[attribute] = _parse(env, env_name, default, int, "a whole number of days",
                                       problems)
        kwargs["db_pool_size"] = _parse(env, "DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE, int,
                                        f"a whole number from 1 to {MAX_DB_POOL_SIZE}", problems)
        try:
            settings = cls(**kwargs)  # type: ignore[arg-type]
        except ConfigError as err:
            # Report parse errors and the remaining validation errors together.
            reported = {name for name, _ in problems}
            problems += [p for p in err.problems if p[0] not in reported]
            raise ConfigError(problems) from None
        if problems:
            raise ConfigError(problems)
        return settings

    # --- applying ----------------------------------------------------------------------------

    def register_language_packs(self) -> list[str]:
        """Register the ``COOP_LANG_PATH`` folders with the language-pack registry (the only
        reader of that variable is this module); returns the pack codes they brought."""
        if not self.lang_path:
            return []
        from understanding import registry

        return registry.register_all(self.lang_path)

    # --- derived values ----------------------------------------------------------------------

    @property
    def auth_enabled(self) -> bool:
        """False in local-development mode (no ``MicrosoftAppId``): requests are not authenticated."""
        return bool(self.app_id)

    @property
    def support_mode(self) -> str:
        """The support desk: ``oidc`` (Entra ID sign-in), ``local`` (no sign-in, loopback only)
        or ``off`` (its routes answer 404)."""
        if self.support_oidc_issuer:
            return "oidc"
        return "local" if self.support_local_dev else "off"

    @property
    def database_kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        scheme = urlsplit(self.database_url).scheme.split("+")[0].lower()
        return "postgresql" if scheme.startswith("postgres") else scheme

    # Names read by botbuilder's ConfigurationBotFrameworkAuthentication / ...CredentialFactory.
    @property
    def APP_ID(self) -> str:  # noqa: N802 - botbuilder's configuration names
        return self.app_id

    @property
    def APP_PASSWORD(self) -> str:  # noqa: N802
        return self.app_password

    @property
    def APP_TYPE(self) -> str:  # noqa: N802
        return self.app_type

    @property
    def APP_TENANTID(self) -> str:  # noqa: N802
        return self.app_tenant_id


# (environment variable, field, default): numbers of seconds, validated in __post_init__
_SECONDS = (
    ("DB_STATEMENT_TIMEOUT_SECONDS", "db_statement_timeout", 5.0),
    ("DB_CONNECT_TIMEOUT_SECONDS", "db_connect_timeout", 5.0),
    ("DB_STARTUP_WAIT_SECONDS", "db_startup_wait", 60.0),
    ("REMINDER_LEASE_SECONDS", "reminder_lease_seconds", 60.0),
    ("REMINDER_HEARTBEAT_SECONDS", "reminder_heartbeat_seconds", 20.0),
    ("REMINDER_RETRY_SECONDS", "reminder_retry_seconds", 120.0),
)
# (environment variable, field, default): whole numbers of days >= 0 (0: keep for ever)
_DAYS = (("STATE_RETENTION_DAYS", "state_retention_days", 90),
         ("SUPPORT_JOBS_RETENTION_DAYS", "support_jobs_retention_days", 30))
_MAY_BE_ZERO = {"DB_STARTUP_WAIT_SECONDS"}


def _credential_problems(app_id: str, password: str, app_type: str,
                         tenant_id: str) -> list[tuple[str, str]]:
    problems = []
    if app_type == "MultiTenant":
        if app_id and not password:
            problems.append(("MicrosoftAppPassword", "is required when MicrosoftAppId is set "
                                                     "(or unset both for local development)"))
        if password and not app_id:
            problems.append(("MicrosoftAppId", "is required when MicrosoftAppPassword is set"))
    else:
        if not app_id:
            problems.append(("MicrosoftAppId", f"is required when MicrosoftAppType is {app_type}"))
        if app_type == "SingleTenant" and not password:
            problems.append(("MicrosoftAppPassword", "is required when MicrosoftAppType is "
                                                     "SingleTenant"))
        if not tenant_id:
            problems.append(("MicrosoftAppTenantId", "is required when MicrosoftAppType is "
                                                     f"{app_type}"))
    return problems


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``127.x.x.x`` or ``::1``.

    >>> [is_loopback_host(h) for h in ("localhost", "127.0.0.1", "::1", "0.0.0.0", "example.org")]
    [True, True, True, False, False]
    """
    import ipaddress

    host = (host or "").strip().lower()
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _support_problems(s: "Settings") -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    oidc = {"SUPPORT_OIDC_ISSUER": s.support_oidc_issuer,
            "SUPPORT_OIDC_CLIENT_ID": s.support_oidc_client_id,
            "SUPPORT_OIDC_CLIENT_SECRET": s.support_oidc_client_secret,
            "SUPPORT_ALLOWED_GROUP": s.support_allowed_group}
    if any(oidc.values()):
        for name, value in oidc.items():
            if not value:
                problems.append((name, "is required when any SUPPORT_OIDC_* or "
                                       "SUPPORT_ALLOWED_GROUP is set (all four, or none)"))
        issuer = urlsplit(s.support_oidc_issuer) if s.support_oidc_issuer else None
        if issuer is not None and not (
                issuer.netloc and (issuer.scheme == "https" or (
                    issuer.scheme == "http" and is_loopback_host(issuer.hostname or "")))):
            problems.append(("SUPPORT_OIDC_ISSUER", "must be an https URL (http only on a loopback "
                                                    "address, for tests), e.g. https://login."
                                                    "microsoftonline.com/<tenant id>/v2.0, "
                                                    f"got {s.support_oidc_issuer!r}"))
    if s.support_local_dev and not any(oidc.values()) and not is_loopback_host(s.host):
        problems.append(("SUPPORT_LOCAL_DEV", "serves the support desk WITHOUT sign-in, so it is "
                                              "refused unless HOST is a loopback address "
                                              f"(localhost, 127.0.0.1, ::1); HOST is {s.host!r}. "
                                              "Configure SUPPORT_OIDC_* instead"))
    if not s.support_jobs_dir:
        problems.append(("SUPPORT_JOBS_DIR", "must not be empty"))
    for name, value in (("SUPPORT_LOGIN_RATE_PER_MINUTE", s.support_login_rate_per_minute),
                        ("SUPPORT_UPLOAD_QUOTA_MB", s.support_upload_quota_mb)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            problems.append((name, f"must be a whole number > 0, got {value!r}"))
    return problems


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


def _parse(env: Mapping[str, str], name: str, default, convert, expected: str,
           problems: list[tuple[str, str]]):
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return convert(raw)
    except ValueError:
        problems.append((name, f"must be {expected}, got {raw!r}"))
        return default
