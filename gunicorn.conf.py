"""gunicorn settings for the web process (`gunicorn wsgi:app`, read from the working directory).

Every value can be changed by environment variable without editing this file (docs/deploy.md).
Only the web process runs here: the scheduler is `flask scheduler run`, exactly one per
installation, never inside a web worker.
"""
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

_TOKEN_PATH = re.compile(r"(/invitations/|/password/reset/)[^/?]+")


class RedactingLogger(Logger):
    """gunicorn's logger with link tokens replaced by "…" in the access log's path (%(U)s) and
    the request line (%(r)s) rebuilt without its query string."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _TOKEN_PATH.sub(r"\1…", atoms.get("U", ""))
        atoms["r"] = f'{atoms.get("m", "")} {atoms["U"]} {atoms.get("H", "")}'  # the request line, no query
        return atoms


logger_class = RedactingLogger

# Loopback by default: nginx in front terminates TLS and forwards (set PROXY_FIX_HOPS=1 then).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app is plain blocking Flask/SQLAlchemy. 2 × cores + 1 is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# Longest request allowed before the worker is killed and restarted (the optimiser and large Excel
# work have their own limits below this; raise both together).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (bounded memory growth); the jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Whose X-Forwarded-Proto/-For gunicorn itself believes (its wsgi.url_scheme); the app's own
# ProxyFix (PROXY_FIX_HOPS) decides the client address for audit and sessions.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs to stdout/stderr (journald). The access log has the path without the query string (search
# terms and names must not land in logs), and the single-use tokens of invitation and reset links
# (/invitations/<token>, /password/reset/<token>) are cut out of it (RedactingLogger below).
# %({x-request-id}o)s ties a line to the app's JSON log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'
# Fail at start-up, before forking, when the app refuses its configuration (app/config.py).
preload_app = True
# No runtime control socket (gunicorn ≥ 24 opens one in $HOME by default): systemd signals the
# master (HUP reload, TERM stop), and one socket less is one way in less.
control_socket_disable = True
