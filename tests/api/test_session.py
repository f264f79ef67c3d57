"""The sign-in endpoints over HTTP: the cookie's flags, redirects, origins, mail."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from navigator.domain.accounts.models import LoginSession, User
from navigator.domain.shared import db as db_module
from navigator.domain.shared.db import make_engine, read_session
from navigator.locale import SESSION_COOKIE
from navigator.settings import get_settings

PASSWORD = "http-pass-2026"
ORIGIN = {"origin": "https://testserver"}


@pytest.fixture
def client(sqlite_template, tmp_path):
    path = tmp_path / "session.db"
    shutil.copyfile(sqlite_template, path)
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", f"sqlite:///{path}")
    patch.setenv("NAVIGATOR_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    from navigator.api.session import sessions

    with TestClient(sessions, base_url="https://testserver", follow_redirects=False) as test_client:
        test_client.engine = make_engine(f"sqlite:///{path}")
        yield test_client
        test_client.engine.dispose()
    patch.undo()
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()


def _register(client, email="papa@example.org"):
    return client.post(
        "/auth/register",
        data={"email": email, "password": PASSWORD, "password_again": PASSWORD},
        headers=ORIGIN,
    )


def _where(response) -> tuple[str, dict[str, list[str]]]:
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    return location.path, parse_qs(location.query)


def test_registration_sets_a_hardened_session_cookie(client):
    response = _register(client)
    assert _where(response) == ("/cabinet", {})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/", "Max-Age=1209600"):
        assert flag.lower() in cookie.lower()


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"email": "nope", "password": PASSWORD, "password_again": PASSWORD}, "email_invalid"),
        (
            {"email": "a@example.org", "password": "short", "password_again": "short"},
            "password_too_short",
        ),
        (
            {"email": "a@example.org", "password": PASSWORD, "password_again": "x"},
            "passwords_differ",
        ),
        (
            {
                "email": "a@example.org" + "x" * 5000,
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
            "email_invalid",
        ),
        ({}, "email_invalid"),
    ],
)
def test_a_bad_registration_comes_back_with_a_code_and_no_cookie(client, form, code):
    response = client.post("/auth/register", data=form, headers=ORIGIN)
    path, query = _where(response)
    assert path == "/register" and query["error"] == [code]
    assert "set-cookie" not in response.headers
    assert len(query.get("email", [""])[0]) <= 254
    with read_session(client.engine) as s:
        assert s.exec(select(User)).all() == []


def test_log_in_redirects_only_within_the_site(client):
    _register(client)
    client.cookies.clear()
    wrong = client.post(
        "/auth/login", data={"email": "papa@example.org", "password": "nope-nope-1"}, headers=ORIGIN
    )
    assert _where(wrong) == (
        "/login",
        {"error": ["invalid_credentials"], "email": ["papa@example.org"], "next": ["/cabinet"]},
    )
    for target, landed in [
        ("/programs/7", "/programs/7"),
        ("//evil.example/x", "/cabinet"),
        ("https://evil.example/", "/cabinet"),
        ("javascript:alert(1)", "/cabinet"),
        ("/\\evil.example", "/cabinet"),
        ("/x\r\nSet-Cookie: a=b", "/cabinet"),
    ]:
        response = client.post(
            "/auth/login",
            data={"email": "papa@example.org", "password": PASSWORD, "next": target},
            headers=ORIGIN,
        )
        assert _where(response)[0] == landed
        assert SESSION_COOKIE in response.headers["set-cookie"]


def test_another_sites_form_is_refused(client):
    response = client.post(
        "/auth/register",
        data={"email": "x@example.org", "password": PASSWORD, "password_again": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    with read_session(client.engine) as s:
        assert s.exec(select(User)).all() == []


def test_log_out_ends_the_session_and_clears_the_cookie(client):
    _register(client)
    with read_session(client.engine) as s:
        assert len(s.exec(select(LoginSession)).all()) == 1
    response = client.post("/auth/logout", headers=ORIGIN)
    assert _where(response) == ("/", {})
    assert (
        'nav_session=""' in response.headers["set-cookie"]
        or "Max-Age=0" in response.headers["set-cookie"]
    )
    with read_session(client.engine) as s:
        assert s.exec(select(LoginSession)).all() == []


def test_too_many_failures_answer_with_the_limit(client):
    _register(client)
    client.cookies.clear()
    for _ in range(5):
        client.post(
            "/auth/login",
            data={"email": "papa@example.org", "password": "guess-123456"},
            headers=ORIGIN,
        )
    response = client.post(
        "/auth/login", data={"email": "papa@example.org", "password": PASSWORD}, headers=ORIGIN
    )
    assert _where(response)[1]["error"] == ["too_many_attempts"]
    assert "set-cookie" not in response.headers


def test_forgotten_password_mail_is_written_under_var_mail(client, tmp_path):
    _register(client)
    response = client.post(
        "/auth/password/forgot", data={"email": "papa@example.org"}, headers=ORIGIN
    )
    assert _where(response) == ("/password/forgot", {"sent": ["1"]})
    unknown = client.post(
        "/auth/password/forgot", data={"email": "who@example.org"}, headers=ORIGIN
    )
    assert _where(unknown) == ("/password/forgot", {"sent": ["1"]})  # the same answer
    letters = list((tmp_path / "var" / "mail").glob("*.eml"))
    assert len(letters) == 2  # the address's confirmation at sign-up, then the one reset link
    bad_token = client.post(
        "/auth/password/reset",
        data={"token": "forged", "password": PASSWORD + "x", "password_again": PASSWORD + "x"},
        headers=ORIGIN,
    )
    assert _where(bad_token)[1]["error"] == ["reset_link_invalid"]


def test_an_invitation_link_signs_the_new_member_in_to_the_provider_cabinet(client):
    from navigator.domain.accounts.access import Actor
    from navigator.domain.providers.queries import providers_of
    from navigator.domain.providers.staff import invite_staff
    from navigator.domain.shared.models import OutgoingMail
    from tests.factories import SYSTEM, build_world

    world = build_world(client.engine)
    with world.tx() as s:
        invite_staff(
            s,
            SYSTEM,
            world.provider_id,
            "joiner@example.org",
            "provider_staff",
            app_url="https://testserver",
        )
    with read_session(client.engine) as s:
        body = s.exec(select(OutgoingMail)).one().body
    token = body.split("token=")[1].split()[0]
    wrong = client.post(
        "/auth/invite",
        data={"token": token, "password": PASSWORD, "password_again": "different-pass-1"},
        headers=ORIGIN,
    )
    assert _where(wrong) == ("/invite", {"error": ["passwords_differ"], "token": [token]})
    forged = client.post(
        "/auth/invite",
        data={"token": token, "password": PASSWORD, "password_again": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    joined = client.post(
        "/auth/invite",
        data={"token": token, "password": PASSWORD, "password_again": PASSWORD},
        headers=ORIGIN,
    )
    assert _where(joined) == ("/provider", {})
    assert joined.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=")
    again = client.post(
        "/auth/invite",
        data={"token": token, "password": PASSWORD, "password_again": PASSWORD},
        headers=ORIGIN,
    )
    assert _where(again)[1]["error"] == ["invitation_invalid"]
    with read_session(client.engine) as s:
        user = s.exec(select(User).where(User.email == "joiner@example.org")).one()
        joined_providers = providers_of(s, Actor.user(user.id))
    assert [p.id for p in joined_providers] == [world.provider_id]


def test_sign_ups_from_one_address_are_limited_and_a_refused_one_creates_nobody(client):
    from navigator.domain.accounts.throttle import LIMITS

    allowed = LIMITS[("register", "address")]
    for n in range(allowed):
        assert _where(_register(client, f"parent{n}@example.org"))[0] == "/cabinet"
    path, query = _where(_register(client, "one.too.many@example.org"))
    assert (path, query["error"]) == ("/register", ["too_many_requests"])
    with read_session(client.engine) as s:
        emails = {u.email for u in s.exec(select(User)).all()}
    assert "one.too.many@example.org" not in emails and len(emails) == allowed


def test_one_email_is_tried_three_times_an_hour_even_when_each_try_fails(client):
    for _ in range(3):  # a taken address fails each time, and each time counts
        _register(client, "taken@example.org")
    path, query = _where(_register(client, "taken@example.org"))
    assert (path, query["error"]) == ("/register", ["too_many_requests"])


def test_a_sign_in_posted_before_its_page_loaded_still_goes_where_the_link_asked(client):
    """The page had not filled the form's `next` yet: the sign-in page's own address (the
    Referer of the post) still names it; another page's or another site's does not count."""
    _register(client, "deep@example.org")
    client.cookies.clear()
    form = {"email": "deep@example.org", "password": PASSWORD, "next": ""}
    page = "https://testserver/login?next=/municipality"
    assert (
        _where(client.post("/auth/login", data=form, headers={**ORIGIN, "referer": page}))[0]
        == "/municipality"
    )
    client.cookies.clear()
    for referer in (
        "https://testserver/login?next=//other.example/x",
        "https://testserver/login?next=https://other.example",
        "https://testserver/programs/1?next=/municipality",
    ):
        response = client.post("/auth/login", data=form, headers={**ORIGIN, "referer": referer})
        assert _where(response)[0] == "/cabinet", referer
        client.cookies.clear()


def test_signing_in_or_out_drops_the_tabs_page_state_of_the_previous_person(client):
    """The tab's Reflex state token lives in sessionStorage: Clear-Site-Data "storage" makes
    the browser forget it (and whose data it held), keeping the cookies it just got."""
    registered = _register(client, "first@example.org")
    assert registered.headers["clear-site-data"] == '"storage"'
    signed_out = client.post("/auth/logout", headers=ORIGIN)
    assert signed_out.headers["clear-site-data"] == '"storage"'
    form = {"email": "first@example.org", "password": PASSWORD, "next": "/cabinet"}
    signed_in = client.post("/auth/login", data=form, headers=ORIGIN)
    assert _where(signed_in)[0] == "/cabinet"
    assert signed_in.headers["clear-site-data"] == '"storage"'
    assert "cookies" not in signed_in.headers["clear-site-data"]


def _confirmation_link(client, email: str) -> str:
    from navigator.domain.shared.models import OutgoingMail

    with read_session(client.engine) as s:
        letters = s.exec(select(OutgoingMail).where(OutgoingMail.recipient == email)).all()
    [link] = [
        word for letter in letters for word in letter.body.split() if "/auth/email/confirm" in word
    ]
    return link


def test_the_mailed_link_confirms_the_address_once(client):
    _register(client)
    with read_session(client.engine) as s:
        user = s.exec(select(User).where(User.email == "papa@example.org")).one()
    assert user.email_verified_at is None
    link = urlsplit(_confirmation_link(client, "papa@example.org"))
    assert link.path == "/auth/email/confirm"
    opened = client.get(f"{link.path}?{link.query}")
    assert _where(opened) == ("/login", {"notice": ["email_confirmed"]})
    with read_session(client.engine) as s:
        assert s.get(User, user.id).email_verified_at is not None
    for forged in ("forged", "", "x" * 5000):
        assert _where(client.get("/auth/email/confirm", params={"token": forged}))[1] == {
            "error": ["confirm_link_invalid"]
        }


def test_two_factor_sign_in_takes_the_password_then_a_code(client):
    from datetime import timedelta

    from navigator.domain.accounts.access import Actor
    from navigator.domain.accounts.api import create_user
    from navigator.domain.accounts.models import Role
    from navigator.domain.accounts.two_factor import code_at, finish_setup, start_setup, step_of
    from navigator.domain.shared.db import transaction
    from navigator.domain.shared.models import utcnow
    from tests.factories import build_world

    world = build_world(client.engine)
    with transaction(client.engine) as s:
        admin = create_user(
            s,
            "careful@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
        actor = Actor.user(admin.id)
        secret = start_setup(s, actor).secret
    with transaction(client.engine) as s:
        earlier = step_of(utcnow() - timedelta(seconds=30))
        finish_setup(s, actor, code_at(secret, earlier), password=PASSWORD)
    first = client.post(
        "/auth/login",
        data={"email": "careful@example.org", "password": PASSWORD, "next": "/municipality"},
        headers=ORIGIN,
    )
    path, query = _where(first)
    assert path == "/login" and query["next"] == ["/municipality"] and query["challenge"]
    assert "set-cookie" not in first.headers  # the password alone opens nothing
    challenge = query["challenge"][0]
    wrong = client.post(
        "/auth/login/code",
        data={"challenge": challenge, "code": "000000", "next": "/municipality"},
        headers=ORIGIN,
    )
    assert _where(wrong)[1]["error"] == ["two_factor_code_wrong"]
    assert "set-cookie" not in wrong.headers
    right = client.post(
        "/auth/login/code",
        data={"challenge": challenge, "code": code_at(secret, step_of(utcnow()))},
        headers=ORIGIN,
    )
    assert _where(right)[0] == "/cabinet"
    assert right.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=")
