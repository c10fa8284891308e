"""Configuration: safe defaults, environment variables, then a test mapping.

Nothing secret is committed: on first start the secret key is generated into
``instance/`` (git-ignored) unless ``SECRET_KEY`` is set.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _read_or_create_secret(path: Path) -> str:
    """Return the secret stored at ``path``, creating it (mode 0600) the first time."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    # O_EXCL: when two workers start at once, one creates, the other reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _days(value: str, name: str) -> tuple[int, ...]:
    """``"60,14"`` -> (60, 14); a clear error for anything else."""
    try:
        days = tuple(sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True))
    except ValueError:
        raise ValueError(f"{name} must be whole numbers of days separated by commas, e.g. 60,14; got {value!r}") from None
    if any(d <= 0 for d in days):
        raise ValueError(f"{name}: every number of days must be at least 1; got {value!r}")
    return days


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_config(app, test_config: dict | None = None) -> None:
    env = os.environ
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    app.config.update(
        SERVICE_NAME="Leadership Essentials",
        DATABASE_URL=f"sqlite:///{instance / 'leadership.sqlite3'}",
        COURSES_DIR=str(PROJECT_ROOT / "courses"),
        # The public address, e.g. https://learn.example.org. Emailed links, certificates and
        # credentials are built from it, never from a request's Host header. Required to serve
        # (create_app refuses to start without it) except in debug and testing.
        PUBLIC_BASE_URL="",
        # Host names requests may carry (others get 400). None: the host of PUBLIC_BASE_URL
        # (plus localhost and 127.0.0.1 in debug and testing). Env: TRUSTED_HOSTS=a.example,b.example
        TRUSTED_HOSTS=None,
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        MAIL_SMTP_HOST="",
        MAIL_SMTP_PORT=587,
        MAIL_SMTP_USERNAME="",
        MAIL_SMTP_PASSWORD="",
        MAIL_SMTP_STARTTLS=True,
        MAIL_FROM="Leadership Essentials <no-reply@leadership-essentials.invalid>",
        NOTIFY_API_KEY="",
        NOTIFY_TEMPLATE_ID="",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ENABLED=True,
        PASSWORD_HASH_METHOD="scrypt",
        SIGN_IN_LINK_MINUTES=15,
        PASSWORD_RESET_MINUTES=60,
        EMAIL_CONFIRMATION_HOURS=24,  # links that confirm a new address (registration, email change)
        ACCOUNT_NOTICE_LINK_DAYS=7,  # the "This wasn't me" link in a notice about an account change
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead of a clock
        BABEL_DEFAULT_LOCALE="en",
        BABEL_SUPPORTED_LOCALES=["en", "cy"],
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        CONTENT_RELOAD=None,  # None: follow app.debug
        SESSION_IDLE_MINUTES=30,  # staff sessions end after this long without a request
        SESSION_ABSOLUTE_HOURS=12,  # ...and this long after signing in, whatever
        LEARNER_SESSION_DAYS=30,  # learner sessions end this long after signing in (server-side record)
        KNOWN_DEVICE_DAYS=180,  # a browser that signed in stays "known" (own sign-in limit) this long
        RETENTION_INACTIVE_DAYS=1095,  # `flask privacy apply-retention`: learners inactive this long are erased
        PROXY_FIX_HOPS=0,  # behind N reverse proxies: trust X-Forwarded-For/-Proto from them
        # Credentials (docs/certificates.md). The issuing organisation named in every Open Badges
        # credential, the issuer profile and the LinkedIn button; set it to the body that stands
        # behind the certificates (e.g. "Local Government Association").
        CREDENTIAL_ISSUER_NAME="Leadership Essentials",
        CREDENTIAL_ISSUER_URL="",  # the organisation's website; default: PUBLIC_BASE_URL
        CREDENTIAL_ISSUER_EMAIL="",  # optional contact address published in the issuer profile
        CREDENTIAL_SIGNING_KEY_FILE="",  # Ed25519 PEM (Data Integrity); default instance/credential-signing-key.pem
        CREDENTIAL_RSA_KEY_FILE="",  # RSA PEM (VC-JWT, RS256); default instance/credential-rsa-key.pem
        CREDENTIAL_RETIRED_KEY_FILES=None,  # list of retired key PEMs still published; env: os.pathsep-separated
        CREDENTIAL_CACHE_SIZE=512,  # signed credentials and status lists kept in memory (LRU)
        NOTIFY_BASE_URL="",  # GOV.UK Notify API address (default: Notify's production API)
        MAIL_GIVE_UP_HOURS=72,  # queued mail still unsent this long after it was queued is dropped
        MAIL_KEEP_DAYS=30,  # records of sent mail (no bodies) are kept this long, for bounce figures
        # Background jobs (leadership/jobs). Queue storage: Redis when a URL is given, else SQLite.
        JOBS_REDIS_URL="",  # e.g. redis://redis.internal:6379/1; falls back to REDIS_URL
        REDIS_URL="",
        JOBS_SQLITE_PATH=str(instance / "jobs.sqlite3"),  # the queue without Redis (one machine)
        JOBS_NAME="leadership",  # queue name (the Redis key prefix): one per deployment sharing a Redis
        JOBS_IMMEDIATE=False,  # run every job in-process when it is enqueued (debugging only)
        JOBS_WORKERS=2,  # threads per `flask jobs worker` (its --workers default)
        # Periodic schedules: five-field cron expressions in UTC (minute hour day month weekday).
        JOBS_SCHEDULE_MAIL="* * * * *",  # send queued mail, retry with back-off
        JOBS_SCHEDULE_MAIL_STATUS="*/10 * * * *",  # GOV.UK Notify delivery statuses (bounces)
        JOBS_SCHEDULE_CERTIFICATES="*/10 * * * *",  # catch-up: PDFs and "earned" emails a lost job missed
        JOBS_SCHEDULE_REFRESHERS="0 8 * * *",  # refresher reminders (08:00 UTC: 08:00 or 09:00 in London)
        JOBS_SCHEDULE_RETENTION="30 2 * * *",  # the retention rule (privacy apply-retention)
        JOBS_SCHEDULE_HOUSEKEEPING="45 2 * * *",  # delete old mail records and job runs
        REFRESHER_REMINDER_DAYS=(60, 14),  # remind this many days before a certificate expires
        CERTIFICATE_EMAIL_WINDOW_DAYS=3,  # the catch-up sweep looks this far back (never older certificates)
        # Uploaded PNG/JPEG images: every learner's browser decodes the whole bitmap, so cap its size.
        UPLOAD_IMAGE_MAX_WIDTH=4000,  # pixels
        UPLOAD_IMAGE_MAX_HEIGHT=4000,  # pixels
        UPLOAD_IMAGE_MAX_MEGAPIXELS=16,  # width x height, in millions of pixels
    )

    # Environment variables (names are part of the public contract).
    if env.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = env["DATABASE_URL"]
    for key in (
        "COURSES_DIR", "PUBLIC_BASE_URL", "MAIL_OUTBOX_DIR", "MAIL_SMTP_HOST",
        "MAIL_SMTP_USERNAME", "MAIL_SMTP_PASSWORD", "MAIL_FROM", "NOTIFY_API_KEY",
        "NOTIFY_TEMPLATE_ID", "RATELIMIT_STORAGE_URI", "CREDENTIAL_ISSUER_NAME", "CREDENTIAL_ISSUER_URL",
        "CREDENTIAL_ISSUER_EMAIL", "CREDENTIAL_SIGNING_KEY_FILE", "CREDENTIAL_RSA_KEY_FILE", "NOTIFY_BASE_URL",
        "JOBS_REDIS_URL", "REDIS_URL", "JOBS_SQLITE_PATH", "JOBS_NAME",
        "JOBS_SCHEDULE_MAIL", "JOBS_SCHEDULE_MAIL_STATUS", "JOBS_SCHEDULE_CERTIFICATES",
        "JOBS_SCHEDULE_REFRESHERS", "JOBS_SCHEDULE_RETENTION", "JOBS_SCHEDULE_HOUSEKEEPING",
    ):
        if env.get(key):
            app.config[key] = env[key]
    for key in ("SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "LEARNER_SESSION_DAYS", "KNOWN_DEVICE_DAYS",
                "EMAIL_CONFIRMATION_HOURS", "ACCOUNT_NOTICE_LINK_DAYS", "UPLOAD_IMAGE_MAX_WIDTH",
                "UPLOAD_IMAGE_MAX_HEIGHT", "UPLOAD_IMAGE_MAX_MEGAPIXELS", "RETENTION_INACTIVE_DAYS",
                "PROXY_FIX_HOPS", "CREDENTIAL_CACHE_SIZE", "MAIL_GIVE_UP_HOURS", "MAIL_KEEP_DAYS",
                "JOBS_WORKERS", "CERTIFICATE_EMAIL_WINDOW_DAYS"):
        if env.get(key):
            app.config[key] = int(env[key])
    if env.get("REFRESHER_REMINDER_DAYS") is not None:  # e.g. "60,14"; empty: no refresher reminders
        app.config["REFRESHER_REMINDER_DAYS"] = _days(env["REFRESHER_REMINDER_DAYS"], "REFRESHER_REMINDER_DAYS")
    if env.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in env["TRUSTED_HOSTS"].split(",") if h.strip()]
    if env.get("MAIL_SMTP_PORT"):
        app.config["MAIL_SMTP_PORT"] = int(env["MAIL_SMTP_PORT"])
    if env.get("SESSION_COOKIE_SECURE") is not None:
        secure = _bool(env.get("SESSION_COOKIE_SECURE"))
        app.config["SESSION_COOKIE_SECURE"] = secure
        app.config["REMEMBER_COOKIE_SECURE"] = secure

    if test_config:
        app.config.update(test_config)
    explicit = env.get("SESSION_COOKIE_SECURE") is not None or "SESSION_COOKIE_SECURE" in (test_config or {})
    if not explicit and str(app.config["PUBLIC_BASE_URL"]).startswith("https://"):
        # Served over HTTPS: cookies must never travel over plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = env.get("SECRET_KEY") or _read_or_create_secret(instance / "secret_key")
    app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])


class ConfigurationError(RuntimeError):
    """The configuration cannot serve safely; the message says what to set."""


def _started_by() -> tuple[bool, str]:
    """(serving requests?, the local address it serves on) for the process creating the app.

    Under the ``flask`` command only ``flask run`` serves; other commands (``db upgrade``,
    ``course validate``...) do not need a public address. Anything else (gunicorn, a WSGI
    server, a test) is taken to be serving.
    """
    try:
        import click

        ctx = click.get_current_context(silent=True)
    except ImportError:  # pragma: no cover - click comes with Flask
        ctx = None
    if ctx is None:
        return True, "http://127.0.0.1:5000"
    if ctx.command.name == "run":
        host = ctx.params.get("host") or "127.0.0.1"
        return True, f"http://{host}:{ctx.params.get('port') or 5000}"
    return False, "http://127.0.0.1:5000"


def settle_public_address(app) -> None:
    """Require PUBLIC_BASE_URL when serving (outside debug and testing) and trust only its host."""
    from urllib.parse import urlsplit

    base = str(app.config.get("PUBLIC_BASE_URL") or "").strip()
    relaxed = bool(app.debug or app.testing)
    if not base:
        serving, local = _started_by()
        if serving and not relaxed:
            raise ConfigurationError(
                "PUBLIC_BASE_URL is not set. Set it to the address people use to reach this service, "
                "for example PUBLIC_BASE_URL=https://learn.example.org: emailed links, certificates and "
                "credentials are built from it, and requests for any other host are refused. "
                "For development on this machine use scripts/run.sh, or flask run --debug.")
        base = local
        if serving:
            import logging

            logging.getLogger(__name__).warning("PUBLIC_BASE_URL is not set: using %s (debug only)", base)
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise ConfigurationError(f"PUBLIC_BASE_URL must be an http:// or https:// address such as "
                                 f"https://learn.example.org, not {base!r}")
    app.config["PUBLIC_BASE_URL"] = base.rstrip("/")
    if app.config.get("TRUSTED_HOSTS") is None:
        hosts = [parts.hostname] + (["localhost", "127.0.0.1"] if relaxed else [])
        app.config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))
