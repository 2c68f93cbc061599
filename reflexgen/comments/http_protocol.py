"""HTTP/1.1 for the intake: uvicorn's httptools protocol, with a cap on the request's head.

httptools (llhttp, the parser of Node.js, in C) answers about 20% more requests a second
than h11 here, but neither it nor uvicorn bounds the request line and headers: httptools
keeps an unfinished header in memory, however long, and uvicorn keeps every header. This
protocol refuses a head larger than `MAX_HEAD_BYTES` with 431 and closes the connection:
what the parser hands over is counted as it comes (the request line, each header), and what
it holds unfinished is bounded by counting the bytes received while a head is read. The
body's cap is the app's (`forms.read_body`)."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024  # the request line and headers (nginx's default buffers: 1 + 8 KiB)
_SAID = b"Request header fields too large"
TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
             b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
             b"content-length: %d\r\n\r\n%s" % (len(_SAID), _SAID))


class HeadTooLarge(Exception):
    """Raised in a parser callback: httptools stops, and uvicorn answers (see below)."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` that refuses a request head larger than `MAX_HEAD_BYTES`."""

    _in_head = True  # reading a head (or waiting for one), not a body
    _received = 0  # bytes received since that head began: what the parser may be holding
    _parsed = 0  # bytes of the head the parser has handed over
    _too_large = False

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._received += len(data)
        super().data_received(data)
        if self._in_head and self._received > MAX_HEAD_BYTES:
            self._refuse()

    def on_message_begin(self) -> None:
        self._parsed = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # Whatever part of the last read was the body is not counted against the head.
        self._in_head, self._received = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error, here 431 when the error is ours."""
        if self._too_large:
            self._refuse()
        else:
            super().send_400_response(msg)

    def _count(self, size: int) -> None:
        self._parsed += size
        if self._parsed > MAX_HEAD_BYTES:
            self._too_large = True
            raise HeadTooLarge

    def _refuse(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(TOO_LARGE)
            self.transport.close()
