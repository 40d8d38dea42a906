"""Settings of the Celery workers the tests start: the project's own, with the queue the
test names (``CELERY_FILE_TEST``), so that test runs sharing a Redis never take each
other's tasks, not even those a worker queues itself (e-mails queued after a commit)."""

import os

from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["CELERY_FILE_TEST"]
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
