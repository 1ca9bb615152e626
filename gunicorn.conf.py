"""gunicorn's settings; gunicorn reads this file from the working directory, so
scripts/run-portal.sh, the Dockerfile and docker-compose.yml all serve the same way.

Threads per process match the database pool (DB_POOL_MAX_SIZE in portal/settings.py): a request
never waits for a connection, and the server holds at most workers x DB_POOL_MAX_SIZE of them.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or max(1, int(os.environ.get("DB_POOL_MAX_SIZE", "4"))))
# Requests past workers x threads wait in the listen queue, not for a database connection.
backlog = 2048
timeout = 60
graceful_timeout = 5  # Ctrl-C in run-portal.sh: in-flight requests get 5 s
accesslog = "-"
# No control socket: its default path is per user, so two servers on one machine would share it.
control_socket_disable = True
