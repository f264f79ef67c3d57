"""Program photos: GET /media/programs/{name}, only the re-encoded JPEGs the app made."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

from navigator import routes
from navigator.domain.programs.photos import media_dir, photo_file
from navigator.settings import get_settings

media = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@media.get(routes.MEDIA_PROGRAM_ROUTE)
def program_photo(name: str) -> FileResponse:
    path = photo_file(media_dir(get_settings().var_dir), name)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={
            # names are random and never reused, so a photo can be cached for good
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )
