from flask import Blueprint

bp = Blueprint("modules", __name__)
