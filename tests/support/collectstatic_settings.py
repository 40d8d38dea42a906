"""The production settings, for ``collectstatic`` in tests/test_production.py, compressing less.

The storage stays WhiteNoise's ``CompressedManifestStaticFilesStorage``: hashed names,
every ``url()``/``sourceMappingURL`` reference resolved, the same manifest, gzip
variants. Only compression work no page depends on is left out, to keep the test
within seconds: the brotli variants (at its quality 11, brotli takes about a minute
for the ~32 MB of collected files on a two-core machine, the Swagger UI and Redoc
bundles above all) and the compressed variants of source maps (18 of those 32 MB,
fetched by a browser's developer tools only). gunicorn then runs on
``config.settings`` itself, reading the manifest written here.
"""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
if STORAGES["staticfiles"]["BACKEND"] != PRODUCTION_STORAGE:
    raise RuntimeError(f"Expected the production static storage, got {STORAGES['staticfiles']['BACKEND']}.")


class GzipOnlyManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)


STORAGES = {**STORAGES, "staticfiles": {"BACKEND": f"{__name__}.GzipOnlyManifestStaticFilesStorage"}}
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
