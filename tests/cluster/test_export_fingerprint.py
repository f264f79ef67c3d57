"""An exported site is reused only when nothing it is made from changed."""

from __future__ import annotations

import navigator.cluster as cluster


def _project(tmp_path, monkeypatch):
    (tmp_path / "navigator" / "pages").mkdir(parents=True)
    (tmp_path / "navigator" / "pages" / "catalog.py").write_text("TITLE = 'Каталог'\n")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.css").write_text("body { margin: 0 }\n")
    (tmp_path / "rxconfig.py").write_text("config = None\n")
    monkeypatch.setattr(cluster, "PROJECT_ROOT", tmp_path)
    return tmp_path


ENV = {"REFLEX_API_URL": "http://localhost:18470", "REFLEX_REDIS_URL": "redis://localhost:1"}


def test_the_same_files_and_address_give_the_same_fingerprint(tmp_path, monkeypatch):
    _project(tmp_path, monkeypatch)
    first = cluster.export_fingerprint(ENV)
    # the backend's own addresses are not in the page
    assert cluster.export_fingerprint({**ENV, "REFLEX_REDIS_URL": "redis://localhost:2"}) == first
    assert cluster.export_fingerprint(dict(ENV)) == first
    # what the page is made from is
    assert cluster.export_fingerprint({**ENV, "NAVIGATOR_DEFAULT_LOCALE": "lt"}) != first
    assert cluster.export_fingerprint({**ENV, "REFLEX_TRANSPORT": "polling"}) != first


def test_a_changed_page_stylesheet_or_address_exports_again(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch)
    first = cluster.export_fingerprint(ENV)
    assert cluster.export_fingerprint({**ENV, "REFLEX_API_URL": "http://localhost:9"}) != first

    (root / "navigator" / "pages" / "catalog.py").write_text("TITLE = 'Programos'\n")
    second = cluster.export_fingerprint(ENV)
    assert second != first

    (root / "assets" / "app.css").write_text("body { margin: 1px }\n")
    third = cluster.export_fingerprint(ENV)
    assert third != second

    (root / "navigator" / "pages" / "new.py").write_text("")
    assert cluster.export_fingerprint(ENV) != third
