"""The baseline of benchmarks/load.py: a bare Flask app under the same gunicorn settings.

One route answering a small HTML page from a template string, as cheap as Flask gets:
every page of Anyam is compared with this in the same run.
"""
from flask import Flask, render_template_string

app = Flask(__name__)
PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}"
        "</title></head><body><main><h1>{{ title }}</h1><p>{{ text }}</p></main></body></html>")


@app.route("/bare")
def bare():
    return render_template_string(PAGE, title="Bare Flask", text="The baseline page.")
