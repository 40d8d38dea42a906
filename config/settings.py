"""Settings, driven by environment variables (see .env.example).

Every variable is read through a typed helper of ``config.env`` that refuses a
bad value at start-up with a message naming the variable.
"""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
VAR_DIR = Path(env_str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "territoires",
    "comptes",
    "beneficiaires",
    "prestations",
    "livrables",
    "facturation",
    "pilotage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comptes.middleware.ActeurMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptes.context_processors.acteur",
            ],
        },
    },
]

# --- Database: DATABASE_URL, else the embedded PostgreSQL of config.embedded_pg.
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "pgsql"})
EMBEDDED_DATABASE = DATABASE_URL is None
if EMBEDDED_DATABASE:
    from config.embedded_pg import ensure_running

    DATABASES = {"default": ensure_running()}
else:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker; without it, local memory and the filesystem broker.
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss"})
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "comptes.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "comptes:accueil"
LOGOUT_REDIRECT_URL = "comptes:connexion"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed static files in production (after collectstatic); plain finders otherwise.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# --- E-mail (in development: one file per message under var/emails/, read at /dev/emails/).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="commun.courriels_dev.FichierParMessage" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", default=str(VAR_DIR / "emails"))
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="Prestations <ne-pas-repondre@prestations.local>")

# --- Celery (DESIGN principle 6: acks late, requeue on worker loss, idempotent tasks).
# Signed documents (livrables): the platform's seal (PAdES, pyHanko). Production points to
# its certificate and key; `python manage.py sceau` makes a self-signed one under var/ for
# the demo (tests make their own). A timestamp server (RFC 3161) is used when configured,
# and then sealing fails rather than go without it.
SCEAU_CERTIFICAT = Path(env_str("SCEAU_CERTIFICAT", default=str(VAR_DIR / "sceau" / "certificat.pem")))
SCEAU_CLE = Path(env_str("SCEAU_CLE", default=str(VAR_DIR / "sceau" / "cle.pem")))
SCEAU_CLE_MOT_DE_PASSE = env_str("SCEAU_CLE_MOT_DE_PASSE", default="")
# Extra trusted certificates (PEM, one file) to validate documents sealed before a rotation.
SCEAU_AUTORITES = env_str("SCEAU_AUTORITES", default="")
SCEAU_HORODATAGE_URL = env_str("SCEAU_HORODATAGE_URL", default="")
# Remote signing and attendance links (e-mail to the bénéficiaire): hours of validity.
LIEN_SIGNATURE_HEURES = env_int("LIEN_SIGNATURE_HEURES", default=72)

CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
if not REDIS_URL:
    for _key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_key]).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True
# A web request must not hang on a dead broker: publishing gives up quickly, and the
# outbox rows are picked up by beat's sweep once the broker is back (principle 6).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "envoyer-emails": {"task": "comptes.tasks.envoyer_emails", "schedule": 60.0},
    "balayer-echeances": {"task": "prestations.tasks.balayer_echeances", "schedule": 300.0},
}
# --- API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "commun.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Prestations",
    "DESCRIPTION": "Prescription, suivi et paiement des prestations d'accompagnement vers l'emploi.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "commun.schema.reponses_d_erreur"],
    "ENUM_NAME_OVERRIDES": {
        "TypeEntretienEnum": "prestations.models.suivi.TypeEntretien",
        "TypeSortieEnum": "prestations.sorties.TypeSortie",
        "StatutActionEnum": "prestations.models.suivi.StatutAction",
        "TypeEvenementEnum": "prestations.models.journal.TypeEvenement",
        "TypeOrganisationEnum": "comptes.models.TypeOrganisation",
        "OuiNonInconnuEnum": "beneficiaires.models.OuiNonInconnu",
        "EtatEcheanceEnum": "prestations.models.echeances.EtatEcheance",
        "EtatPrestationEnum": "prestations.models.prestation.Etat",
        "TypeEcheanceEnum": "prestations.models.echeances.TypeEcheance",
        "RoleSignataireEnum": "livrables.models.RoleSignataire",
        "MethodeSignatureEnum": "livrables.models.MethodeSignature",
        "EtatLivrableEnum": "livrables.models.EtatLivrable",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The embedded PostgreSQL's start and stop, and the reloader's banner: noise in `make run`.
        "pgserver": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of a rendering at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
