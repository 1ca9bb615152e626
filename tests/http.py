"""Reading responses in tests, streamed (CSV exports, file downloads) or not."""


def body(response) -> bytes:
    """The whole body: `content`, or the joined chunks of a streaming response (read once)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text(response) -> str:
    return body(response).decode(errors="replace")
