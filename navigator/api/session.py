"""Sign-in over plain HTTP forms: the only place the session cookie is set or cleared.

The cookie is HttpOnly (no script can read it), Secure, SameSite=Lax, and holds a random
token whose hash is the session row. Every form answers with a redirect: to where the
user was going, or back to the form with an error code the page translates. A POST from
another site's page is refused by its Origin header.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.confirmation import confirm_email, send_confirmation
from navigator.domain.accounts.signin import (
    SESSION_LIFETIME,
    CodeNeeded,
    SignedIn,
    finish_sign_in,
    register_parent,
    request_password_reset,
    reset_password,
    sign_in,
    sign_out,
)
from navigator.domain.accounts.throttle import spend_attempt
from navigator.domain.culture.coordinators import accept_coordinator_invitation
from navigator.domain.providers.api import register_provider
from navigator.domain.providers.queries import providers_of
from navigator.domain.providers.staff import accept_invitation
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.mail import deliver_after_commit
from navigator.locale import SESSION_COOKIE, request_locale
from navigator.settings import get_settings


def _back(path: str, **params: str) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def _safe_next(target: str) -> str:
    """Only a path on this site: never an open redirect to another one."""
    parts = urlsplit(target or "")
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return routes.CABINET
    return target


def _next_of_referer(request: Request) -> str:
    """The `next` of the sign-in page this form was posted from, or the cabinet."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.rstrip("/") != routes.LOGIN:
        return routes.CABINET
    return parse_qs(referer.query).get("next", [routes.CABINET])[0]


def _same_origin(request: Request) -> None:
    """Every form here comes from this site: its Origin is our public address or our Host."""
    origin = request.headers.get("origin")
    if origin is None:
        return  # not sent by a browser form on another page
    ours = {urlsplit(get_settings().app_url).netloc, request.headers.get("host")}
    if origin == "null" or urlsplit(origin).netloc not in ours:
        raise HTTPException(status_code=403)


sessions = FastAPI(
    openapi_url=None, docs_url=None, redoc_url=None, dependencies=[Depends(_same_origin)]
)


def _new_person(response: Response) -> None:
    """The tab's page state (kept under a token in sessionStorage) belonged to whoever was
    signed in before: the browser drops it, so the next page starts empty for this person
    instead of first showing the previous one's data."""
    response.headers["Clear-Site-Data"] = '"storage"'


def _set_cookie(response: Response, token: str) -> None:
    _new_person(response)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
    )


def _client_address(request: Request) -> str:
    """The caller's address; behind N trusted proxies, the Nth from the right they added."""
    hops = get_settings().trusted_proxy_hops
    if hops:
        forwarded = [ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [ip for ip in forwarded if ip]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.client.host if request.client else "unknown"


def _mail_confirmation(session, user_id: int, request: Request) -> None:
    """The link that confirms the new account's address, sent once the account exists."""
    send_confirmation(
        session, user_id, app_url=get_settings().app_url, locale=request_locale(request)
    )
    deliver_after_commit(session)


@sessions.get(routes.AUTH_EMAIL_CONFIRM)
def confirm_address(token: str = "") -> Response:
    """The link from the letter: the address is confirmed, and the person is told so."""
    try:
        with transaction() as session:
            confirm_email(session, token[:200])
    except DomainError as error:
        return _back(routes.LOGIN, error=error.code)
    return _back(routes.LOGIN, notice="email_confirmed")


@sessions.post(routes.AUTH_LOGIN)
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
) -> Response:
    # a form sent before its page finished loading has no `next` yet: the page's own address
    # (the Referer of a same-site post) still says where the person was going
    next = next or _next_of_referer(request)
    try:
        with transaction() as session:
            signed_in = sign_in(session, email, password, _client_address(request))
    except DomainError as error:
        return _back(routes.LOGIN, error=error.code, email=email[:254], next=next)
    if signed_in is None:
        return _back(routes.LOGIN, error="invalid_credentials", email=email[:254], next=next)
    if isinstance(signed_in, CodeNeeded):  # the code from the app comes next, on the same page
        return _back(routes.LOGIN, challenge=signed_in.challenge, next=next)
    return _landing(signed_in, next)


@sessions.post(routes.AUTH_LOGIN_CODE)
def login_code(
    request: Request,
    challenge: str = Form(""),
    code: str = Form(""),
    next: str = Form(""),
) -> Response:
    """The second step of a two-factor sign-in: a code from the app or a recovery code."""
    try:
        with transaction() as session:
            signed_in = finish_sign_in(session, challenge, code, _client_address(request))
    except DomainError as error:
        return _back(routes.LOGIN, error=error.code, next=next)
    if signed_in is None:
        return _back(
            routes.LOGIN, error="two_factor_code_wrong", challenge=challenge[:200], next=next
        )
    return _landing(signed_in, next)


def _landing(signed_in: SignedIn, next: str) -> Response:
    """Signed in: on to where the person was going, with the new session's cookie."""
    target = _safe_next(next)
    if target == routes.CABINET:  # the default: staff of a provider land in its cabinet instead
        with read_session() as session:
            if providers_of(session, Actor.user(signed_in.user_id)):
                target = routes.PROVIDER
    response = _back(target)
    _set_cookie(response, signed_in.token)
    return response


@sessions.post(routes.AUTH_REGISTER)
def register(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
) -> Response:
    try:
        with transaction() as session:  # counted even when the sign-up below is refused
            spend_attempt(session, "register", "address", _client_address(request))
            spend_attempt(session, "register", "email", email[:254])
        with transaction() as session:
            signed_in = register_parent(
                session, email, password, password_again, locale=request_locale(request)
            )
            _mail_confirmation(session, signed_in.user_id, request)
    except DomainError as error:
        return _back(routes.REGISTER, error=error.code, email=email[:254])
    response = _back(routes.CABINET)
    _set_cookie(response, signed_in.token)
    return response


@sessions.post(routes.AUTH_REGISTER_PROVIDER)
def register_organisation(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
    organisation: str = Form(""),
    kind: str = Form(""),
    licence_number: str = Form(""),
    municipality_id: str = Form(""),
) -> Response:
    try:
        municipality = (
            int(municipality_id) if municipality_id.isascii() and municipality_id.isdigit() else 0
        )
        with transaction() as session:  # counted even when the sign-up below is refused
            spend_attempt(session, "register_provider", "address", _client_address(request))
        with transaction() as session:
            signed_in = register_provider(
                session,
                email=email,
                password=password,
                password_again=password_again,
                organisation=organisation,
                kind=kind,
                licence_number=licence_number,
                municipality_id=municipality if 0 < municipality < 2**31 else 0,
                locale=request_locale(request),
            )
            _mail_confirmation(session, signed_in.user_id, request)
    except DomainError as error:
        return _back(routes.PROVIDER_REGISTER, error=error.code, email=email[:254])
    response = _back(routes.PROVIDER)
    _set_cookie(response, signed_in.token)
    return response


@sessions.post(routes.AUTH_LOGOUT)
def logout(request: Request) -> Response:
    with transaction() as session:
        sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = _back(routes.HOME)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    _new_person(response)
    return response


@sessions.post(routes.AUTH_PASSWORD_FORGOT)
def forgot_password(request: Request, email: str = Form("")) -> Response:
    settings = get_settings()
    try:
        with transaction() as session:
            request_password_reset(
                session, email, app_url=settings.app_url, locale=request_locale(request)
            )
            deliver_after_commit(session)
    except DomainError as error:
        return _back(routes.PASSWORD_FORGOT, error=error.code, email=email[:254])
    return _back(routes.PASSWORD_FORGOT, sent="1")


@sessions.post(routes.AUTH_PASSWORD_RESET)
def set_new_password(
    token: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
) -> Response:
    try:
        with transaction() as session:
            reset_password(session, token, password, password_again)
    except DomainError as error:
        return _back(routes.PASSWORD_RESET, error=error.code, token=token[:200])
    return _back(routes.LOGIN, notice="password_changed")


@sessions.post(routes.AUTH_INVITE)
def accept_staff_invitation(
    request: Request,
    token: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
) -> Response:
    """Join a provider from an invitation link: the new member lands in its cabinet."""
    try:
        with transaction() as session:
            signed_in = accept_invitation(
                session,
                token,
                password,
                password_again,
                client_address=_client_address(request),
                locale=request_locale(request),
            )
    except DomainError as error:
        return _back(routes.INVITE, error=error.code, token=token[:200])
    if signed_in is None:
        return _back(routes.INVITE, error="invitation_wrong_password", token=token[:200])
    if isinstance(signed_in, CodeNeeded):  # joined; the code from the app signs them in
        return _back(routes.LOGIN, challenge=signed_in.challenge, next=routes.PROVIDER)
    response = _back(routes.PROVIDER)
    _set_cookie(response, signed_in.token)
    return response


@sessions.post(routes.AUTH_CULTURE_INVITE)
def accept_school_invitation(
    request: Request,
    token: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
) -> Response:
    """Become a school's coordinator from an invitation link: lands on the school's screen."""
    try:
        with transaction() as session:
            signed_in = accept_coordinator_invitation(
                session,
                token,
                password,
                password_again,
                client_address=_client_address(request),
                locale=request_locale(request),
            )
    except DomainError as error:
        return _back(routes.CULTURE_INVITE, error=error.code, token=token[:200])
    if signed_in is None:
        return _back(routes.CULTURE_INVITE, error="invitation_wrong_password", token=token[:200])
    if isinstance(signed_in, CodeNeeded):
        return _back(routes.LOGIN, challenge=signed_in.challenge, next=routes.CULTURE)
    response = _back(routes.CULTURE)
    _set_cookie(response, signed_in.token)
    return response
