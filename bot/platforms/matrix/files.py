"""Files on Matrix: the homeserver's upload limit, uploading a file, fetching a member's.

Media is fetched through the authenticated client API
(``GET /_matrix/client/v1/media/download/{server}/{media id}``, Matrix 1.11): homeservers
with authenticated media (Synapse's default since 1.120) no longer serve new files
through the legacy ``/_matrix/media/v3/download`` that matrix-nio 0.26's ``download``
calls. The limit is ``m.upload.size`` from ``/_matrix/client/v1/media/config`` (the
legacy path as a fallback), or ``COPBOT_MATRIX__UPLOAD_LIMIT`` when the server does not
say. An encrypted file (``file`` instead of ``url``) carries no :attr:`Media.ref`, so it
is relayed as a note.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import quote

from aiohttp import ClientError
from nio import AsyncClient, UploadResponse

from bot.core.errors import PlatformError
from bot.core.types import Attachment, FileLimits, Media
from bot.platforms.matrix.errors import to_error
from bot.platforms.matrix.render import Content, file_content

log = logging.getLogger(__name__)

_CONFIG_PATHS = ("/_matrix/client/v1/media/config", "/_matrix/media/v3/config")
_DOWNLOAD = "/_matrix/client/v1/media/download/{server}/{media_id}"


def _auth(client: AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.access_token}"}


async def file_limits(client: AsyncClient, default: int) -> FileLimits:
    """The homeserver's upload limit, as the adapter's limits for fetching and sending."""
    for path in _CONFIG_PATHS:
        try:
            response = await client.send("GET", path, headers=_auth(client))
            try:
                if response.status != 200:
                    continue
                size = (await response.json()).get("m.upload.size")
            finally:
                response.release()
            if isinstance(size, int) and size > 0:
                return FileLimits(download=size, image=size, document=size)
            break  # the server answers, and sets no limit
        except (ClientError, TimeoutError, ValueError) as error:
            log.info("matrix: could not read %s: %s", path, error)
    return FileLimits(download=default, image=default, document=default)


async def download(client: AsyncClient, media: Media, limit: int) -> bytes | None:
    """The bytes of an ``mxc://`` file, or ``None`` when it is not one or is too large.

    Raises:
        PlatformError: the homeserver failed, and may not next time.
    """
    if media.ref is None or not media.ref.startswith("mxc://"):
        return None
    server, _, media_id = media.ref.removeprefix("mxc://").partition("/")
    if not server or not media_id:
        return None
    path = _DOWNLOAD.format(server=quote(server, safe=""), media_id=quote(media_id, safe=""))
    try:
        response = await client.send("GET", path, headers=_auth(client))
        try:
            if response.status in (403, 404):
                log.info("matrix: %s cannot be fetched (%d)", media.ref, response.status)
                return None
            if response.status != 200:
                raise PlatformError(f"matrix: fetching {media.ref} answered {response.status}")
            if (response.content_length or 0) > limit:
                return None
            data = await response.read()
        finally:
            response.release()
    except (ClientError, TimeoutError) as error:
        raise PlatformError(f"matrix: fetching {media.ref} failed: {error}") from error
    return data if len(data) <= limit else None


async def upload(client: AsyncClient, room_id: str, attachment: Attachment) -> Content:
    """Upload a file (encrypted in an encrypted room) and the ``m.image``/``m.file`` content for it."""
    room = client.rooms.get(room_id)
    encrypted = bool(room is not None and room.encrypted and client.olm is not None)
    data, media_type = attachment.data, attachment.media_type
    response, keys = await client.upload(
        io.BytesIO(data),
        content_type=media_type,
        filename=attachment.filename,
        encrypt=encrypted,
        filesize=len(data),
    )
    if not isinstance(response, UploadResponse):
        raise to_error(response)
    msgtype = "m.image" if media_type.startswith("image/") else "m.file"
    content = file_content(msgtype, attachment.filename, response.content_uri, media_type, len(data))
    if encrypted and keys is not None:
        del content["url"]
        content["file"] = {**keys, "url": response.content_uri}
    return content
