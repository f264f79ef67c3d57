"""Programs and groups: listing, timetables, certification, photos, import, the catalog."""

# the catalog's rows for the SQL fallback are written wherever programs are (its hooks)
from navigator.domain.programs import catalog_rows  # noqa: F401
