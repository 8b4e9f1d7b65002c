"""gunicorn settings for klinke: `gunicorn -c gunicorn.conf.py` (see docs/production.md).

Every value can be overridden from the environment (GUNICORN_*, or WEB_CONCURRENCY for the
number of workers) or on the command line.
"""

import os

wsgi_app = "klinke.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Three synchronous workers suit a small server (2 cores); add more with more cores.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"

# Load Django once in the master and fork: the workers share its memory pages and start at
# once. No request builds the matching index (the worker process does, see
# klinke/exchange/match_index.py), so nothing slow happens after the fork either.
preload_app = True

# A request that takes longer than this is stuck; its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Replace each worker now and then so that no slow growth of memory builds up.
max_requests = 2000
max_requests_jitter = 200

# An empty GUNICORN_ACCESS_LOG turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The reverse proxy sets X-Forwarded-Proto; klinke's own TRUSTED_PROXIES decides client addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def when_ready(server: object) -> None:
    """Do in the master, before the workers are forked, what each worker would otherwise do
    on its first request: map the shared matching index and build the text analysis's
    lexicon, import the URLconf (the API's schemas, the PDF renderer), read both languages'
    catalogues and compile klinke's templates (klinke.core.warmup). The generation files are
    mapped read-only (klinke.matching.packed), so every worker shares their pages with the
    others, also for each new generation the worker writes; the rest is shared as the master
    built it, so a worker replaced after `max_requests` answers at once."""
    import gc

    from klinke.core import warmup
    from klinke.exchange import match_index

    match_index.preload()
    warmup.warm_up()
    gc.freeze()  # keep the collector from touching (and so copying) the shared objects
