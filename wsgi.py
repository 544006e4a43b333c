"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""
import gc

from trainings import create_app

app = create_app()
# What the app built at start-up lives as long as the process: frozen, the garbage
# collector's full collections stop scanning it (~250 000 objects) on every request
# that triggers one. Objects created later are collected as before.
gc.freeze()
