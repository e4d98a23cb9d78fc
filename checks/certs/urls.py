"""The URLs a certificate tells a client to fetch: AIA caIssuers and OCSP, CRL distribution
points. They come from whoever issued the certificate: hostile input, read defensively."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cryptography import x509

# A certificate naming more URLs than this is not a real CA's; the rest are not fetched.
MAX_URLS_PER_CERTIFICATE = 10


class CertificateUrls(NamedTuple):
    ca_issuers: tuple[str, ...] = ()
    ocsp: tuple[str, ...] = ()
    crl: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # extensions that could not be read

    @property
    def revocation(self) -> tuple[str, ...]:
        return self.crl + self.ocsp


def certificate_urls(cert: x509.Certificate) -> CertificateUrls:
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    issuers: list[str] = []
    ocsp: list[str] = []
    crl: list[str] = []
    problems: list[str] = []
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        for description in aia.value:
            location = description.access_location
            if not isinstance(location, x509.UniformResourceIdentifier):
                continue
            if description.access_method == AuthorityInformationAccessOID.CA_ISSUERS:
                issuers.append(location.value)
            elif description.access_method == AuthorityInformationAccessOID.OCSP:
                ocsp.append(location.value)
    except x509.ExtensionNotFound:
        pass
    except ValueError as exc:
        problems.append(f"its Authority Information Access extension is malformed ({exc})")
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        for point in points.value:
            for name in point.full_name or ():
                if isinstance(name, x509.UniformResourceIdentifier):
                    crl.append(name.value)
    except x509.ExtensionNotFound:
        pass
    except ValueError as exc:
        problems.append(f"its CRL Distribution Points extension is malformed ({exc})")
    return CertificateUrls(_bounded(issuers), _bounded(ocsp), _bounded(crl), tuple(problems))


def _bounded(urls: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(urls))[:MAX_URLS_PER_CERTIFICATE]


def scheme(url: str) -> str:
    """The URL's scheme, lower case ("" when it has none)."""
    head, colon, _ = url.partition(":")
    return head.lower() if colon and head.isascii() and head.isalnum() else ""
