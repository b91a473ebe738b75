"""What IT sets outside the database: instance/config.py, HALL_* environment variables (which
win over the file), the secret key file; a typo or an unknown key is refused with its file."""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, instance_config, secret_key


def test_file_then_environment(tmp_path):
    (tmp_path / "config.py").write_text(
        'DATABASE_URL = "postgresql://hall@db/halls"\nPORT = 8080\nHOST = "10.0.0.2"\n',
        encoding="utf-8",
    )
    assert instance_config(tmp_path, {}) == {
        "DATABASE_URL": "postgresql://hall@db/halls",
        "PORT": 8080,
        "HOST": "10.0.0.2",
    }
    environment = {
        "DATABASE_URL": "old.sqlite3",
        "HALL_DATABASE_URL": "new.sqlite3",
        "HALL_PORT": "9000",
        "HALL_PUBLIC_BASE_URL": "http://192.168.1.10:9000",
        "HALL_CODE": "dz",
    }
    assert instance_config(tmp_path, environment) == {
        "DATABASE_URL": "new.sqlite3",
        "PORT": 9000,
        "HOST": "10.0.0.2",
        "PUBLIC_BASE_URL": "http://192.168.1.10:9000",
        "HALL_CODE": "dz",
    }


def test_no_file_no_environment(tmp_path):
    assert instance_config(tmp_path, {}) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [("PROT = 8000\n", r"unknown setting\(s\) PROT"), ("PORT = \n", "config.py")],
)
def test_bad_files_are_refused_with_their_name(tmp_path, text, message):
    (tmp_path / "config.py").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        instance_config(tmp_path, {})


def test_bad_numbers_in_the_environment(tmp_path):
    with pytest.raises(ConfigError, match="HALL_PORT"):
        instance_config(tmp_path, {"HALL_PORT": "eighty"})


def test_secret_key_file_is_created_once(tmp_path):
    key_file = tmp_path / "keys" / "secret"
    first = secret_key(key_file)
    assert len(first) == 64 and secret_key(key_file) == first


def test_the_app_reads_the_instance_file(tmp_path, monkeypatch):
    from kiosk import create_app

    for name in ("HALL_DATABASE_URL", "DATABASE_URL", "HALL_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    db_file = tmp_path / "from-config.sqlite3"
    (instance / "config.py").write_text(
        f'DATABASE_URL = r"{db_file}"\nPUBLIC_BASE_URL = "http://10.1.1.1:8000"\n'
        f'SECRET_KEY_FILE = r"{tmp_path / "key"}"\n',
        encoding="utf-8",
    )
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["DATABASE_URL"] == str(db_file)
    assert app.config["PUBLIC_BASE_URL"] == "http://10.1.1.1:8000"
    assert db_file.exists() and (tmp_path / "key").exists()
    from kiosk.db import db

    if not db.is_closed():
        db.close()


def test_postgresql_urls_are_read_by_peewee_with_escapes_and_options():
    """Database URLs go through playhouse.db_url (issue 15): a password with @ or / written
    percent-escaped, and ?sslmode=… options, reach psycopg2 as given; nothing is opened."""
    from kiosk.db import make_database

    database = make_database(
        "postgresql://hall%40dz:p%2Fw%40rd@db.hall.lan:6543/county_halls?sslmode=disable"
    )
    assert database.database == "county_halls"
    assert database.connect_params == {
        "user": "hall@dz",
        "password": "p/w@rd",
        "host": "db.hall.lan",
        "port": 6543,
        "sslmode": "disable",
    }
    assert database.is_closed()


def test_scripts_find_the_database_in_the_servers_order(tmp_path, monkeypatch):
    """run, hall, backup and audit_verify share one --db rule: the option, else the environment,
    else instance/config.py, else the default SQLite file (a backup of the wrong, empty file
    would look like success)."""
    from kiosk.config import database_url

    monkeypatch.delenv("HALL_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(tmp_path) == str(tmp_path / "hall.sqlite3")
    (tmp_path / "config.py").write_text('DATABASE_URL = "postgresql://hall@db/from_file"\n')
    assert database_url(tmp_path) == "postgresql://hall@db/from_file"
    monkeypatch.setenv("HALL_DATABASE_URL", "postgresql://hall@db/from_env")
    assert database_url(tmp_path) == "postgresql://hall@db/from_env"
    assert database_url(tmp_path, "/srv/hall.sqlite3") == "/srv/hall.sqlite3"
