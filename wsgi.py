"""WSGI entry point: `gunicorn wsgi:app` (settings in gunicorn.conf.py) and `FLASK_APP=wsgi.py`.

Production unless APP_ENV=development: `create_app` refuses to start with the demo's settings
and says what to set (app/config.py, docs/deploy.md)."""
from app import create_app

app = create_app()
