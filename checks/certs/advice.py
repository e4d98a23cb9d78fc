"""What to tell the user to do about a PFX that cannot be used: texts only, so that check
modules can name them at import without loading the certificate code."""

from __future__ import annotations

EXPORT_AGAIN = """\
Export the certificate again as a PFX from the machine that holds its private key (Windows:
certlm.msc > the certificate > All Tasks > Export > "Yes, export the private key", "Include all
certificates in the certification path", encryption TripleDES-SHA1), or build one with OpenSSL:
`openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -certfile intermediates.pem
-out pexip-teams.pfx`. The Pexip Management Node can also download a certificate as PFX with
its private key and intermediates."""

REMEDIATIONS = {
    "missing": "Put the PFX where $PxPfxCertFileName points (relative paths are read from the "
    "variables script's folder), or give its path as `pfx` under [[connector]] in "
    "pxready.toml or with --pfx.",
    "unreadable": "Make the PFX file readable by the account that runs pxready and the installer.",
    "empty": "The file is empty: copy the PFX again from where it was exported.",
    "pem": "This is PEM text. The installer needs a binary PFX with the private key and the "
    "intermediates. " + EXPORT_AGAIN,
    "der-certificate": "This is the certificate alone, without its private key. " + EXPORT_AGAIN,
    "pkcs7": "This is a certificate bundle without the private key. " + EXPORT_AGAIN,
    "der-key": "This is the private key alone, without the certificate. " + EXPORT_AGAIN,
    "truncated": "The file is incomplete: copy it again in binary mode (a text-mode transfer or "
    "an interrupted download damages it), or export it again.",
    "corrupt": "The file is damaged: copy it again in binary mode, or export it again.",
    "not-pfx": "Give the PKCS#12 file (.pfx or .p12) that was exported with the private key. "
    + EXPORT_AGAIN,
    "undecryptable": "Export the PFX again with TripleDES-SHA1 (or AES256-SHA256) encryption.",
    "iterations": "Export the PFX again with a standard tool (Windows certificate export, "
    "Export-PfxCertificate, or OpenSSL): they use a few thousand iterations.",
    "no-key": "The PFX must hold the private key. " + EXPORT_AGAIN,
    "several-keys": "The PFX must hold exactly one private key: the one of the Teams Connector "
    "certificate. " + EXPORT_AGAIN,
    "no-matching-certificate": "The PFX must hold the certificate that belongs to its private "
    "key. " + EXPORT_AGAIN,
    "bad-certificate": "The file is damaged: copy it again in binary mode, or export it again.",
    "bad-key": "The file is damaged: copy it again in binary mode, or export it again.",
}
