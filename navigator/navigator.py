"""Builds the Reflex app and registers its pages; nothing else."""

import reflex as rx

from navigator import routes
from navigator.api.calendar import feeds
from navigator.api.catalog import api as catalog_api
from navigator.api.media import media
from navigator.api.provider import provider_api
from navigator.api.session import sessions
from navigator.api.socket_origin import only_own_pages
from navigator.api.unsubscribe import unsubscribe
from navigator.jobs import scheduled_jobs
from navigator.pages.auth import (
    culture_invite_page,
    forgot_page,
    invite_page,
    login_page,
    register_page,
    reset_page,
)
from navigator.pages.cabinet import cabinet_page
from navigator.pages.culture import culture_page
from navigator.pages.culture_catalog import culture_catalog_page
from navigator.pages.culture_operator import culture_operator_page
from navigator.pages.index import index
from navigator.pages.municipality import municipality_page
from navigator.pages.not_found import not_found_page
from navigator.pages.notifications import notifications_page
from navigator.pages.program import program_page
from navigator.pages.provider import (
    attendance_page,
    provider_program_page,
    provider_register_page,
)
from navigator.pages.provider_cabinet import (
    provider_page,
    provider_programs_page,
    provider_statements_page,
    provider_team_page,
)
from navigator.pages.provider_culture import provider_culture_page
from navigator.pages.security import security_page
from navigator.pages.week import week_page
from navigator.state.auth import AuthState, CultureInviteState, InviteState
from navigator.state.cabinet import CabinetState
from navigator.state.catalog import CatalogState
from navigator.state.culture import CultureState
from navigator.state.culture_catalog import CultureCatalogState
from navigator.state.culture_operator import CultureOperatorState
from navigator.state.municipality import MunicipalityState
from navigator.state.notifications import NotificationsState
from navigator.state.program import ProgramState
from navigator.state.provider import AttendanceState, ProviderProgramState
from navigator.state.provider_cabinet import (
    DeskState,
    ProgramListState,
    StatementState,
    TeamState,
)
from navigator.state.provider_culture import ProviderCultureState
from navigator.state.security import SecurityState
from navigator.state.threaded import handler_threads
from navigator.state.week import WeekState
from search.relay import catalog_sync

app = rx.App(
    theme=rx.theme(accent_color="indigo"),
    stylesheets=["/navigator.css"],
    head_components=[  # deferred: the page renders first, the helpers come after
        rx.script(src="/feedback.js", defer=True),
        rx.script(src="/tables.js", defer=True),
    ],
    # the socket guard wraps the Reflex backend first; the APIs are mounted around it
    api_transformer=[
        only_own_pages,
        catalog_api,
        sessions,
        provider_api,
        media,
        feeds,
        unsubscribe,
    ],
)
app.register_lifespan_task(catalog_sync)  # the search relay runs beside the app
app.register_lifespan_task(scheduled_jobs)  # and the clock's work: expiries
app.register_lifespan_task(handler_threads)  # the threads the handlers run on
app.add_page(index, route=routes.HOME, title="Навигатор", on_load=CatalogState.load)
app.add_page(program_page, route=routes.PROGRAM_ROUTE, title="Навигатор", on_load=ProgramState.load)
app.add_page(login_page, route=routes.LOGIN, title="Навигатор", on_load=AuthState.load)
app.add_page(register_page, route=routes.REGISTER, title="Навигатор", on_load=AuthState.load)
app.add_page(forgot_page, route=routes.PASSWORD_FORGOT, title="Навигатор", on_load=AuthState.load)
app.add_page(reset_page, route=routes.PASSWORD_RESET, title="Навигатор", on_load=AuthState.load)
app.add_page(
    invite_page, route=routes.INVITE, title="Навигатор", on_load=InviteState.load_invitation
)
app.add_page(cabinet_page, route=routes.CABINET, title="Навигатор", on_load=CabinetState.load)
app.add_page(week_page, route=routes.CABINET_WEEK, title="Навигатор", on_load=WeekState.load)
app.add_page(
    provider_register_page,
    route=routes.PROVIDER_REGISTER,
    title="Навигатор",
    on_load=[AuthState.load, AuthState.load_municipalities],
)
app.add_page(provider_page, route=routes.PROVIDER, title="Навигатор", on_load=DeskState.load)
app.add_page(
    provider_programs_page,
    route=routes.PROVIDER_PROGRAMS,
    title="Навигатор",
    on_load=ProgramListState.load,
)
app.add_page(
    provider_statements_page,
    route=routes.PROVIDER_STATEMENTS,
    title="Навигатор",
    on_load=StatementState.load,
)
app.add_page(
    provider_team_page, route=routes.PROVIDER_TEAM, title="Навигатор", on_load=TeamState.load
)
app.add_page(
    provider_culture_page,
    route=routes.PROVIDER_CULTURE,
    title="Навигатор",
    on_load=ProviderCultureState.load,
)
app.add_page(
    provider_program_page,
    route=routes.PROVIDER_PROGRAM_ROUTE,
    title="Навигатор",
    on_load=ProviderProgramState.load,
)
app.add_page(
    attendance_page,
    route=routes.PROVIDER_GROUP_ROUTE,
    title="Навигатор",
    on_load=AttendanceState.load,
)
app.add_page(not_found_page, route="404", title="Навигатор")
app.add_page(culture_page, route=routes.CULTURE, title="Навигатор", on_load=CultureState.load)
app.add_page(
    culture_catalog_page,
    route=routes.CULTURE_SERVICES,
    title="Навигатор",
    on_load=CultureCatalogState.load,
)
app.add_page(
    culture_operator_page,
    route=routes.CULTURE_OPERATOR,
    title="Навигатор",
    on_load=CultureOperatorState.load,
)
app.add_page(
    culture_invite_page,
    route=routes.CULTURE_INVITE,
    title="Навигатор",
    on_load=CultureInviteState.load_invitation,
)
app.add_page(security_page, route=routes.SECURITY, title="Навигатор", on_load=SecurityState.load)
app.add_page(
    notifications_page,
    route=routes.NOTIFICATIONS,
    title="Навигатор",
    on_load=NotificationsState.load,
)
app.add_page(
    municipality_page,
    route=routes.MUNICIPALITY,
    title="Навигатор",
    on_load=MunicipalityState.load,
)
