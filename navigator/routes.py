"""Every path the app answers, written once: pages, the sign-in form posts, the APIs, media.

A path that ends in "/" takes an id after it (`PROGRAM + id`); its `*_ROUTE` is the pattern
the page or endpoint is registered under. The domain writes some of them into mail and photo
URLs, so this module imports nothing.
"""

from __future__ import annotations

# ---------------------------------------------------------------- pages

HOME = "/"
PROGRAM = "/programs/"
PROGRAM_ROUTE = "/programs/[program_id]"
LOGIN = "/login"
REGISTER = "/register"
PASSWORD_FORGOT = "/password/forgot"  # noqa: S105 (a path, not a password)
PASSWORD_RESET = "/password/reset"  # noqa: S105 (a path, not a password)
INVITE = "/invite"
CABINET = "/cabinet"
CABINET_WEEK = "/cabinet/week"  # the family's lessons, week by week, and the calendar link
PROVIDER = "/provider"  # today's desk: applications, today's registers, offers
PROVIDER_PROGRAMS = "/provider/programs"
PROVIDER_STATEMENTS = "/provider/statements"
PROVIDER_TEAM = "/provider/team"  # staff and API keys
PROVIDER_CULTURE = "/provider/culture"  # culture-pass services, sessions, bookings
PROVIDER_REGISTER = "/provider/register"
PROVIDER_PROGRAM = "/provider/programs/"
PROVIDER_PROGRAM_ROUTE = "/provider/programs/[program_id]"
PROVIDER_GROUP = "/provider/groups/"
PROVIDER_GROUP_ROUTE = "/provider/groups/[group_id]"
MUNICIPALITY = "/municipality"
CULTURE = "/culture"  # a school coordinator's screen
CULTURE_INVITE = "/culture/invite"  # a coordinator's invitation link
CULTURE_SERVICES = "/culture/services"  # the public catalog of bookable culture services
CULTURE_OPERATOR = "/culture/operator"  # the programme operator's cabinet
SECURITY = "/security"  # two-factor sign-in, for staff who move money or rules
NOTIFICATIONS = "/notifications"  # the notification centre and mail preferences


def login_then(next_path: str) -> str:
    """The sign-in page that returns to `next_path`, which is already safe in a URL (a
    constant here, or quoted by the caller)."""
    return f"{LOGIN}?next={next_path}"


# ---------------------------------------------------------------- sign-in form posts

AUTH_LOGIN = "/auth/login"
AUTH_LOGIN_CODE = "/auth/login/code"  # the second step of a two-factor sign-in
AUTH_REGISTER = "/auth/register"
AUTH_REGISTER_PROVIDER = "/auth/register-provider"
AUTH_LOGOUT = "/auth/logout"
AUTH_PASSWORD_FORGOT = "/auth/password/forgot"  # noqa: S105 (a path, not a password)
AUTH_PASSWORD_RESET = "/auth/password/reset"  # noqa: S105 (a path, not a password)
AUTH_INVITE = "/auth/invite"
AUTH_CULTURE_INVITE = "/auth/culture/invite"  # a coordinator accepts
AUTH_EMAIL_CONFIRM = "/auth/email/confirm"  # the link mailed to confirm an address
MAIL_UNSUBSCRIBE = "/mail/unsubscribe"  # one-click unsubscribe from digests (POST)

# ---------------------------------------------------------------- the open catalog API

CATALOG_API_OPENAPI = "/api/v1/openapi.json"
CATALOG_API_PROGRAMS = "/api/v1/programs"
CATALOG_API_PROGRAM = "/api/v1/programs/{program_id}"

# ---------------------------------------------------------------- the provider API

PROVIDER_API_OPENAPI = "/api/v1/provider/openapi.json"
PROVIDER_API_PROGRAM = "/api/v1/provider/programs/{external_id}"
PROVIDER_API_GROUP = "/api/v1/provider/programs/{program_external_id}/groups/{external_id}"
PROVIDER_API_APPLICATIONS = "/api/v1/provider/applications"
PROVIDER_API_ACCEPT = "/api/v1/provider/applications/{enrollment_id}/accept"
PROVIDER_API_REJECT = "/api/v1/provider/applications/{enrollment_id}/reject"
PROVIDER_API_ATTENDANCE = "/api/v1/provider/attendance"

# ---------------------------------------------------------------- a family's calendar feed

CALENDAR_FEED = "/calendar/"  # + the link's token + ".ics"
CALENDAR_FEED_ROUTE = CALENDAR_FEED + "{token}.ics"

# ---------------------------------------------------------------- media

MEDIA_PROGRAMS = "/media/programs/"
MEDIA_PROGRAM_ROUTE = MEDIA_PROGRAMS + "{name}"
DIRECTION_PICTURES = "/directions/"  # assets/directions/<direction>.svg


def direction_picture(direction: str) -> str:
    """What a program without a photo shows instead: a drawing of its direction."""
    return f"{DIRECTION_PICTURES}{direction}.svg"
