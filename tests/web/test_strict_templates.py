"""Under tests a template that reads a name its view did not pass fails (jinja2.StrictUndefined);
the hall's server keeps Jinja's forgiving default, where such a name renders as nothing."""

from __future__ import annotations

import jinja2
import pytest
from flask import render_template_string


def test_an_undefined_name_fails_under_tests(app):
    assert app.config["TESTING"] and app.jinja_env.undefined is jinja2.StrictUndefined
    with app.test_request_context("/"):
        with pytest.raises(jinja2.UndefinedError):
            render_template_string("<p>{{ never_passed }}</p>")
        with pytest.raises(jinja2.UndefinedError):
            render_template_string("{% if never_passed %}x{% endif %}")
        # What templates write for an optional name still works.
        assert render_template_string("{{ never_passed | default('-') }}") == "-"
        assert render_template_string("{{ 'y' if never_passed is defined else 'n' }}") == "n"


def test_production_keeps_the_default_undefined(database_url, tmp_path, monkeypatch):
    from kiosk import create_app
    from kiosk.db import db

    for name in ("HALL_DATABASE_URL", "DATABASE_URL", "HALL_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    production = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "MIGRATE": False,
        }
    )
    try:
        assert not production.config.get("TESTING")
        assert production.jinja_env.undefined is jinja2.Undefined
        with production.test_request_context("/"):
            assert render_template_string("<p>{{ never_passed }}</p>") == "<p></p>"
    finally:
        if not db.is_closed():
            db.close()
