"""Where a reload can take a FAQ from besides FAQ_PATH: a chat attachment or an https URL.

Both are untrusted: the size is capped before and while downloading, the format comes from the
file name's extension (the loaders then validate the content like any FAQ file), and URLs are
fetched over https only, from public addresses only, without following redirects: an admin's
reload must not become a way to read the bot's own network (SSRF). Every address a host name
resolves to is checked at connection time, so a name cannot be re-pointed between check and use.
An IPv6 address that carries an IPv4 one (mapped, translated, IPv4-compatible, NAT64, 6to4) is
judged as that IPv4 address, and so is an IPv4 address written in another base or shortened
(2130706433, 0x7f.1, 127.1), which is then refused in any case: the admin is asked for the usual
form.
`allow_loopback` relaxes that to http and loopback addresses for tests and local development.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from pathlib import PurePosixPath

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from bot.core.models import Attachment
from faq.loaders import FAQ_SUFFIXES


class SourceError(Exception):
    """A FAQ source could not be read; the message says why, for the admin."""


@dataclass(frozen=True)
class Upload:
    """A FAQ file's bytes with its name (which picks the format) and where it came from."""

    name: str
    data: bytes
    origin: str


# Their last 32 bits are an IPv4 address: NAT64's well-known prefix (RFC 6052), SIIT's
# IPv4-translated form (RFC 2765) and the deprecated IPv4-compatible form.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Local-use NAT64 (RFC 8215) translates to addresses of the operator's choosing: never public.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def address_allowed(host: str, *, allow_loopback: bool) -> bool:
    """Whether a FAQ URL may be fetched from this IP address."""
    address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        host.split("%", 1)[0]
    )
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return False
        address = _embedded_ipv4(address) or address
    return address.is_global or (allow_loopback and address.is_loopback)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    # ::1 is IPv6's own loopback, not the IPv4 address 0.0.0.1.
    if (
        address in _NAT64
        or address in _TRANSLATED
        or (address in _IPV4_COMPATIBLE and not address.is_loopback)
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _formats() -> str:
    return ", ".join(sorted(FAQ_SUFFIXES))


@dataclass(eq=False)
class FaqSources:
    _: KW_ONLY
    max_bytes: int
    timeout: float
    allow_loopback: bool = False

    def _check_name(self, name: str) -> None:
        if PurePosixPath(name).suffix.lower() not in FAQ_SUFFIXES:
            raise SourceError(f"{name!r} is not a FAQ file: the name must end in {_formats()}")

    def _check_size(self, name: str, size: int) -> None:
        if size > self.max_bytes:
            raise SourceError(f"{name} is larger than the {self.max_bytes}-byte limit")

    async def from_attachment(self, attachment: Attachment) -> Upload:
        self._check_name(attachment.name)
        if attachment.size is not None:
            self._check_size(attachment.name, attachment.size)
        try:
            data = await attachment.fetch(self.max_bytes)
        except Exception as exc:  # whatever the platform's client raises, the admin hears why
            raise SourceError(f"could not download {attachment.name}: {exc}") from exc
        self._check_size(attachment.name, len(data))
        return Upload(attachment.name, data, f"attachment {attachment.name}")

    async def from_url(self, address: str) -> Upload:
        url = URL(address)
        schemes = ("https", "http") if self.allow_loopback else ("https",)
        if url.scheme not in schemes or not url.host:
            raise SourceError(f"{address} is not an https URL")
        name = PurePosixPath(url.path).name or url.host
        self._check_name(name)
        if not _is_hostname(url.host):
            self._check_address(url.host)
        elif (numeric := _other_ipv4_form(url.host)) is not None:
            self._check_address(str(numeric))
            raise SourceError(
                f"{url.host} is the IPv4 address {numeric} written another way; "
                f"write it as {numeric}"
            )
        resolver = _VettedResolver(self._check_address)
        connector = aiohttp.TCPConnector(resolver=resolver)
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
                session.get(url, allow_redirects=False) as response,
            ):
                if 300 <= response.status < 400:
                    where = response.headers.get("Location", "elsewhere")
                    raise SourceError(f"{address} redirects to {where}; give that URL instead")
                if response.status != 200:
                    raise SourceError(f"{address} answered HTTP {response.status}")
                data = await read_capped(response, self.max_bytes)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            if resolver.refused:
                raise SourceError(
                    f"{resolver.refused} resolves only to private or local addresses; "
                    "FAQ URLs must be public"
                ) from exc
            raise SourceError(f"could not fetch {address}: {exc or type(exc).__name__}") from exc
        self._check_size(name, len(data))
        return Upload(name, data, address)

    def _check_address(self, host: str) -> None:
        if address_allowed(host, allow_loopback=self.allow_loopback):
            return
        raise SourceError(f"{host} is not a public address; FAQ URLs must be public")


def _is_hostname(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


def _other_ipv4_form(host: str) -> ipaddress.IPv4Address | None:
    """The address the C library reads in `host` (decimal, octal, hex, fewer than four parts)."""
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, or its first `limit` bytes and a little more when it is longer."""
    data = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > limit:
            break
    return bytes(data)


class _VettedResolver(AbstractResolver):
    """Resolves like the default resolver, then drops every address the policy refuses."""

    def __init__(self, check: Callable[[str], None]) -> None:
        self._inner = ThreadedResolver()
        self._check = check
        # aiohttp reports a failed resolution vaguely; this says which host was refused.
        self.refused: str | None = None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = []
        for result in results:
            try:
                self._check(result["host"])
            except SourceError:
                continue
            allowed.append(result)
        if not allowed:
            self.refused = host
            raise OSError(f"{host} resolves only to private or local addresses")
        return allowed

    async def close(self) -> None:
        await self._inner.close()
