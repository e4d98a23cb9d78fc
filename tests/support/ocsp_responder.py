"""An OCSP responder for testing pxready's revocation checks over real HTTP.

`OcspResponder.handle` plugs into `http_server.handler(...)`. It parses the DER OCSP request
(a POST body, or a GET whose path ends in the base64 request, RFC 6960 appendix A.1), and
answers for the asked serial according to `mode`:

- "good", "revoked" (revoked 2026-01-01, key compromise), "unknown": a BasicOCSPResponse signed
  by the issuer, echoing the request's CertID and nonce;
- "unauthorized": the unsuccessful response status UNAUTHORIZED;
- "garbage": 200 with a body that is no OCSP response at all.

    responder = OcspResponder(inter, mode="revoked")
    http.route("/ocsp", handler(responder.handle))
    http.route("/ocsp/", handler(responder.handle), prefix=True)
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import threading
import urllib.parse
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from tests.support.pki import LEAF_NOT_AFTER, LEAF_NOT_BEFORE, Issued

Mode = Literal["good", "revoked", "unknown", "unauthorized", "garbage"]
CONTENT_TYPE = "application/ocsp-response"

_STATUS = {
    "good": ocsp.OCSPCertStatus.GOOD,
    "revoked": ocsp.OCSPCertStatus.REVOKED,
    "unknown": ocsp.OCSPCertStatus.UNKNOWN,
}


class OcspResponder:
    """Answers OCSP requests for certificates issued by `issuer`, as `mode` says."""

    def __init__(
        self,
        issuer: Issued,
        mode: Mode = "good",
        *,
        this_update: dt.datetime = LEAF_NOT_BEFORE,
        next_update: dt.datetime | None = LEAF_NOT_AFTER,
        revoked_at: dt.datetime = LEAF_NOT_BEFORE,
        reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise,
    ) -> None:
        self.issuer = issuer
        self.mode: Mode = mode
        self.this_update = this_update
        self.next_update = next_update
        self.revoked_at = revoked_at
        self.reason = reason
        self._lock = threading.Lock()
        self._serials: list[int] = []

    @property
    def requested_serials(self) -> list[int]:
        """The serial numbers asked about, in order (a copy)."""
        with self._lock:
            return list(self._serials)

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """An `http_server.handler` function: (status, headers, body) for one HTTP request."""
        der = body if method == "POST" else _der_from_path(path)
        try:
            request = ocsp.load_der_ocsp_request(der or b"")
        except ValueError:
            return self._reply(ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ))  # fmt: skip
        with self._lock:
            self._serials.append(request.serial_number)
        if self.mode == "garbage":
            return 200, {"Content-Type": CONTENT_TYPE}, b"not an ocsp response"
        if self.mode == "unauthorized":
            return self._reply(
                ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
            )
        return self._reply(self._basic_response(request))

    def _basic_response(self, request: ocsp.OCSPRequest) -> ocsp.OCSPResponse:
        revoked = self.mode == "revoked"
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=_STATUS[self.mode],
            this_update=self.this_update,
            next_update=self.next_update,
            revocation_time=self.revoked_at if revoked else None,
            revocation_reason=self.reason if revoked else None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.issuer.cert)
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        return builder.sign(self.issuer.key, hashes.SHA256())

    @staticmethod
    def _reply(response: ocsp.OCSPResponse) -> tuple[int, dict[str, str], bytes]:
        return (
            200,
            {"Content-Type": CONTENT_TYPE},
            response.public_bytes(serialization.Encoding.DER),
        )


def _der_from_path(path: str) -> bytes | None:
    """The OCSP request in a GET path: the longest tail after a "/" that decodes and parses.

    Base64 may itself contain "/", so every split point is tried, from the first.
    """
    target = urllib.parse.unquote(path.split("?", 1)[0])
    for i, char in enumerate(target):
        if char != "/":
            continue
        try:
            der = base64.b64decode(target[i + 1 :], validate=True)
            ocsp.load_der_ocsp_request(der)
        except (binascii.Error, ValueError):
            continue
        return der
    return None
