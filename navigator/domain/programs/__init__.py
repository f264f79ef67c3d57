"""Programs and groups: listing, timetables, certification, photos, import, the catalog."""
