"""Production serving: ``.venv/bin/gunicorn -c gunicorn.conf.py "app:create_app()"``.

Settings come from the environment so the same file serves every installation.
"""

import multiprocessing
import os

bind = os.environ.get("HINDSIGHT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HINDSIGHT_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("HINDSIGHT_THREADS", "4"))
worker_class = "gthread"
timeout = 300  # the longest PDF the limits allow takes minutes (docs/limits.md)
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
# Behind a reverse proxy on the same machine; widen only for a proxy you trust.
forwarded_allow_ips = os.environ.get("HINDSIGHT_TRUSTED_PROXIES", "127.0.0.1")
accesslog = "-"
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s",'
    '"status":%(s)s,"bytes":%(B)s,"duration_ms":%(M)s}'
)
errorlog = "-"
raw_env = ["HINDSIGHT_LOG_FORMAT=json"]
