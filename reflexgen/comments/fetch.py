"""Fetching a page of another site for the intake (Webmention's verification), without letting
anyone aim the server at its own network (SSRF).

Only http and https on their usual ports or any port above 1023; the host name is resolved
here and every address it gives must be public (no private, loopback, link-local, multicast,
reserved or unspecified address, IPv4 written as IPv6 included), and the connection is made
to the address that was checked (a second DNS answer cannot swap it: no rebinding). Redirects
are followed by hand, each one checked the same way, at most `MAX_REDIRECTS`. The whole
fetch has a deadline and the body a size cap. `allow_loopback` lets tests play other sites on
127.0.0.1."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

MAX_BYTES = 1024 * 1024
SECONDS = 10.0
MAX_REDIRECTS = 5
USER_AGENT = "reflexgen (Webmention; +https://www.w3.org/TR/webmention/)"


class Refused(Exception):
    """A fetch that was not made or not finished, and why (for the log, never the client)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    link: str = ""  # the HTTP Link header (Webmention's endpoint discovery)


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped (::ffff:a.b.c.d), compatible
    (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:…) or Teredo's client."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64 or (int(address) >> 32 == 0 and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def public(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
           allow_loopback: bool = False) -> bool:
    """Whether the server may connect to `address` (and to the IPv4 address it carries)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded(address)
        if inner is not None:
            return public(inner, allow_loopback) and (
                bool(address.ipv4_mapped) or address.is_global or address in NAT64)
    if address.is_loopback:
        return allow_loopback
    # `is_global`: none of the ranges IANA reserves (private, shared 100.64/10, link-local,
    # documentation, benchmarking…).
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, allow_loopback: bool) -> str:
    """The one address to connect to, after checking every address the name has."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host!r}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in answers]
    if not addresses:
        raise Refused(f"{host!r} has no address")
    for address in addresses:
        if not public(address, allow_loopback):
            raise Refused(f"{host!r} resolves to {address}, which is not a public address")
    return str(addresses[0])


def checked_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an address the intake may fetch."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) address: {url[:200]!r}")
    if parts.username or parts.password:
        raise Refused("an address with a user name or password")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused(f"a bad port in {url[:200]!r}") from None
    if port not in (80, 443) and port < 1024:
        raise Refused(f"port {port} is not a web server's")
    return scheme, parts.hostname, port


class _Pinned(http.client.HTTPConnection):
    """HTTP to an address already checked; its socket is kept in `raw`, so that the deadline
    can cut the whole exchange short (a timeout alone bounds each read, not their sum)."""

    raw: socket.socket | None = None

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.raw = self.sock = socket.create_connection((self.address, self.port),
                                                         self.timeout)

    def cut(self) -> None:
        if self.raw is not None:
            with contextlib.suppress(OSError):  # already closed
                self.raw.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPS(_Pinned):
    """HTTPS to an address already checked, with the certificate checked for the name."""

    def connect(self) -> None:
        self.raw = socket.create_connection((self.address, self.port), self.timeout)
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.raw, server_hostname=self.host)


def fetch(url: str, allow_loopback: bool = False, max_bytes: int = MAX_BYTES,
          seconds: float = SECONDS, form: dict[str, str] | None = None) -> Fetched:
    """GET `url` (or POST `form` to it, without following redirects) under the rules
    above; raises `Refused`."""
    deadline = time.monotonic() + seconds
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port = checked_url(url)
        address = resolve(host, port, allow_loopback)
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused("too slow")
        connection = (_PinnedHTTPS if scheme == "https" else _Pinned)(address, host, port,
                                                                      left)
        timer = threading.Timer(left, connection.cut)
        timer.start()
        try:
            path = urlsplit(url)._replace(scheme="", netloc="", fragment="").geturl() or "/"
            body = urlencode(form).encode() if form is not None else None
            connection.putrequest("GET" if body is None else "POST", path, skip_host=True,
                                  skip_accept_encoding=True)
            connection.putheader("Host", urlsplit(url).netloc.rsplit("@", 1)[-1])
            connection.putheader("User-Agent", USER_AGENT)
            connection.putheader("Accept", "text/html, application/xhtml+xml, */*;q=0.1")
            if body is not None:
                connection.putheader("Content-Type", "application/x-www-form-urlencoded")
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and body is None:
                location = response.getheader("Location")
                if not location:
                    raise Refused("a redirect without a Location")
                url = urljoin(url, location)
                continue
            return Fetched(url, response.status, response.getheader("Content-Type") or "",
                           read_capped(response, max_bytes, deadline),
                           response.getheader("Link") or "")
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            if time.monotonic() >= deadline:
                raise Refused("too slow") from None
            raise Refused(f"{type(exc).__name__}: {exc}") from None
        finally:
            timer.cancel()
            connection.close()
    raise Refused(f"more than {MAX_REDIRECTS} redirects")


def read_capped(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise Refused(f"larger than {max_bytes} bytes")
    chunks, size = [], 0
    while chunk := response.read1(65536):
        size += len(chunk)
        if size > max_bytes:
            raise Refused(f"larger than {max_bytes} bytes")
        chunks.append(chunk)
    if time.monotonic() >= deadline:  # the end came from the deadline cutting it off
        raise Refused("too slow")
    return b"".join(chunks)
