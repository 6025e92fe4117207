"""Production serving: ``.venv/bin/gunicorn -c gunicorn.conf.py "app:create_app()"``.

Settings come from the environment, or from the project's .env file where the environment does
not set them (a real environment variable wins), so the same file serves every installation.
``scripts/run.sh`` serves with this file too, with one worker, on 127.0.0.1:5000 and text logs.
"""

import multiprocessing
import os
import signal
import sys
from pathlib import Path

from dotenv import dotenv_values

# The same rule as app.load_dotenv_settings, here before gunicorn binds (HINDSIGHT_BIND, ...).
_dotenv = Path(__file__).resolve().parent / ".env"
if _dotenv.is_file():
    for _name, _value in dotenv_values(_dotenv, interpolate=False).items():
        if _name.startswith("HINDSIGHT_") and _value is not None:
            os.environ.setdefault(_name, _value)

bind = os.environ.get("HINDSIGHT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HINDSIGHT_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
# Enough threads that a save finds one free while pages wait their turn (views/turns.py): a
# waiting page holds its thread. With 8, saves waited for a thread under load (bench/load.py:
# save p99 1.2 s at 32 authors, against 0.2 s with 32 threads).
threads = int(os.environ.get("HINDSIGHT_THREADS", "32"))
worker_class = "gthread"
timeout = 300  # the longest PDF the limits allow takes minutes (docs/limits.md)
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
# Behind a reverse proxy on the same machine; widen only for a proxy you trust.
forwarded_allow_ips = os.environ.get("HINDSIGHT_TRUSTED_PROXIES", "127.0.0.1")
log_format = os.environ.get("HINDSIGHT_LOG_FORMAT", "json").strip().lower()
accesslog = "-"
if log_format == "json":
    access_log_format = (
        '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s",'
        '"status":%(s)s,"bytes":%(B)s,"duration_ms":%(M)s}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s bytes %(M)s ms'
errorlog = "-"
raw_env = [f"HINDSIGHT_LOG_FORMAT={log_format}"]
# gunicorn 27's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl), so two
# servers on one machine (a test run beside the real one) would take it from each other.
control_socket_disable = True


def when_ready(server):  # gunicorn calls it once the sockets are bound
    """Say, on standard output, the address to open: the one really bound (port 0 included)."""
    for listener in server.LISTENERS:
        address = listener.sock.getsockname()
        if isinstance(address, tuple):
            host, port = address[0], address[1]
            if host in ("0.0.0.0", "::"):
                host = "127.0.0.1" if host == "0.0.0.0" else "::1"
            shown = f"[{host}]" if ":" in host else host
            print(f"Hindsight is ready: open http://{shown}:{port}", flush=True)
        else:
            print(f"Hindsight is ready on the socket {address}", flush=True)
    sys.stdout.flush()


def post_worker_init(worker):  # gunicorn calls it in each worker, after its signal handlers
    """A worker stops on its main loop, never inside a signal handler.

    gunicorn's gthread worker shuts its thread pool down inside its SIGQUIT (and SIGINT)
    handler. When the signal lands while the worker's main thread is handing a connection to
    that pool, holding the pool's lock, the handler waits for that lock forever, and the worker
    hangs until the master kills it graceful_timeout later. A terminal's Ctrl-C sends SIGINT to
    the master and the worker at once, and the master then sends SIGQUIT: the worker got two
    chances to hang, and did about one Ctrl-C in five (tests/test_run_script.py). Here the
    worker ignores SIGINT (the master decides) and takes SIGQUIT as SIGTERM: it stops accepting,
    finishes what is running (within graceful_timeout), and leaves its loop, at once when idle.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, worker.handle_exit)
    # Before the worker answers anyone: its first guided page took 1.9 s, the next 40 ms; and
    # what it made so far kept out of the garbage collector's way (views/warm.py).
    from views.warm import prepare_worker

    try:
        worker.log.info("Pages and guidance prepared in %.1f s", prepare_worker(worker.wsgi))
    except Exception:  # the first page then does it, as before; serving matters more
        worker.log.exception("Could not prepare pages and guidance ahead")
