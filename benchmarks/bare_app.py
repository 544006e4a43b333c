"""The baseline of benchmarks/load.py: a bare Flask app under the same gunicorn settings.

One route answering a small HTML page from a Jinja template compiled once, as cheap as
Flask gets (a template compiled per request would flatter every ratio): every page of
Anyam is compared with this in the same run.
"""
from flask import Flask

app = Flask(__name__)
PAGE = app.jinja_env.from_string(
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}"
    "</title></head><body><main><h1>{{ title }}</h1><p>{{ text }}</p></main></body></html>")


@app.route("/bare")
def bare():
    return PAGE.render(title="Bare Flask", text="The baseline page.")
