"""The ASN.1 types that `pkcs12_info` decodes, declared with pyasn1's own type classes.

pyasn1-modules has them all, but its `rfc7292` pulls in `rfc5652`, `rfc5280`, `rfc3281`,
`rfc2315` and more: several hundred types built at import, about 80 ms on every run of the
pre-commit path, for the dozen types below. These are the same definitions, with the same
class names, tags, constraints and defaults as pyasn1-modules 0.4 (pyasn1 puts class names
into its error messages, and those reach the user as the reason a file is damaged).

What is left out is the open-type machinery (`openType=` maps on ANY fields): the decoder
only follows it when called with `decodeOpenTypes=True`, which `pkcs12_info` never does. Its
ANY fields therefore keep their raw encoding (the whole TLV; inside an EXPLICIT [0] tag, the
TLV within it), and `pkcs12_info` decodes them with a second, explicit `decode` call.

Sources: RFC 7292 (PKCS #12 v1.1) section 4 and appendix C; RFC 5652 (CMS) sections 3, 5.3,
6.1, 8 and 10.2.5; RFC 2315 (PKCS #7) section 9.4 for DigestInfo; RFC 5958 section 3;
RFC 5280 section 4.1.1.2; RFC 8018 (PKCS #5 v2.1) appendices A.2, A.4, A.5 and B.1.1.
"""

from __future__ import annotations

from pyasn1.type import constraint, namedtype, namedval, tag, univ  # type: ignore[import-untyped]  # noqa: TID253

MAX = float("inf")


def _context(number: int) -> tag.Tag:
    # As pyasn1-modules writes it: `subtype(explicitTag=...)` makes the tag constructed itself.
    return tag.Tag(tag.tagClassContext, tag.tagFormatSimple, number)


# -- RFC 5280 section 4.1.1.2 ------------------------------------------------------------------


class AlgorithmIdentifier(univ.Sequence):  # type: ignore[misc]
    """AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER,
    parameters ANY DEFINED BY algorithm OPTIONAL }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("algorithm", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("parameters", univ.Any()),
    )


# -- RFC 2315 section 9.4 (PKCS #7), as RFC 7292 section 4 imports it for MacData ---------------


class DigestAlgorithmIdentifier(AlgorithmIdentifier):
    pass


class Digest(univ.OctetString):  # type: ignore[misc]
    pass


class DigestInfo(univ.Sequence):  # type: ignore[misc]
    """DigestInfo ::= SEQUENCE { digestAlgorithm DigestAlgorithmIdentifier, digest Digest }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("digestAlgorithm", DigestAlgorithmIdentifier()),
        namedtype.NamedType("digest", Digest()),
    )


# -- RFC 5652 ----------------------------------------------------------------------------------


class ContentType(univ.ObjectIdentifier):  # type: ignore[misc]
    pass


class ContentInfo(univ.Sequence):  # type: ignore[misc]
    """Section 3: ContentInfo ::= SEQUENCE { contentType ContentType,
    content [0] EXPLICIT ANY DEFINED BY contentType }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("contentType", ContentType()),
        namedtype.NamedType("content", univ.Any().subtype(explicitTag=_context(0))),
    )


class AttributeValue(univ.Any):  # type: ignore[misc]
    pass


class Attribute(univ.Sequence):  # type: ignore[misc]
    """Section 5.3: Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER,
    attrValues SET OF AttributeValue }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("attrType", univ.ObjectIdentifier()),
        namedtype.NamedType("attrValues", univ.SetOf(componentType=AttributeValue())),
    )


class CMSVersion(univ.Integer):  # type: ignore[misc]
    """Section 10.2.5: CMSVersion ::= INTEGER { v0(0), v1(1), v2(2), v3(3), v4(4), v5(5) }"""

    namedValues = namedval.NamedValues(
        ("v0", 0), ("v1", 1), ("v2", 2), ("v3", 3), ("v4", 4), ("v5", 5)
    )


class EncryptedContent(univ.OctetString):  # type: ignore[misc]
    pass


class ContentEncryptionAlgorithmIdentifier(AlgorithmIdentifier):
    pass


class EncryptedContentInfo(univ.Sequence):  # type: ignore[misc]
    """Section 6.1: EncryptedContentInfo ::= SEQUENCE { contentType ContentType,
    contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
    encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("contentType", ContentType()),
        namedtype.NamedType("contentEncryptionAlgorithm", ContentEncryptionAlgorithmIdentifier()),
        namedtype.OptionalNamedType(
            "encryptedContent", EncryptedContent().subtype(implicitTag=_context(0))
        ),
    )


class UnprotectedAttributes(univ.SetOf):  # type: ignore[misc]
    """Section 6.1: UnprotectedAttributes ::= SET SIZE (1..MAX) OF Attribute"""

    componentType = Attribute()
    sizeSpec = constraint.ValueSizeConstraint(1, MAX)


class EncryptedData(univ.Sequence):  # type: ignore[misc]
    """Section 8: EncryptedData ::= SEQUENCE { version CMSVersion,
    encryptedContentInfo EncryptedContentInfo,
    unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", CMSVersion()),
        namedtype.NamedType("encryptedContentInfo", EncryptedContentInfo()),
        namedtype.OptionalNamedType(
            "unprotectedAttrs", UnprotectedAttributes().subtype(implicitTag=_context(1))
        ),
    )


# -- RFC 5958 section 3 ------------------------------------------------------------------------


class KeyEncryptionAlgorithmIdentifier(AlgorithmIdentifier):
    pass


class EncryptedKeyData(univ.OctetString):  # type: ignore[misc]
    """RFC 5958's `EncryptedData ::= OCTET STRING`, renamed here only because RFC 5652 has an
    EncryptedData too."""


# pyasn1 names a type by its class in error messages; keep the name pyasn1-modules reports.
EncryptedKeyData.__name__ = EncryptedKeyData.__qualname__ = "EncryptedData"


class EncryptedPrivateKeyInfo(univ.Sequence):  # type: ignore[misc]
    """EncryptedPrivateKeyInfo ::= SEQUENCE {
    encryptionAlgorithm EncryptionAlgorithmIdentifier, encryptedData EncryptedData }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("encryptionAlgorithm", KeyEncryptionAlgorithmIdentifier()),
        namedtype.NamedType("encryptedData", EncryptedKeyData()),
    )


# -- RFC 7292 ----------------------------------------------------------------------------------


class Pkcs_12PbeParams(univ.Sequence):  # type: ignore[misc]
    """Appendix C: pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("salt", univ.OctetString()),
        namedtype.NamedType("iterations", univ.Integer()),
    )


class PKCS8ShroudedKeyBag(EncryptedPrivateKeyInfo):
    """Section 4.2.2: PKCS8ShroudedKeyBag ::= EncryptedPrivateKeyInfo"""


class CertBag(univ.Sequence):  # type: ignore[misc]
    """Section 4.2.3: CertBag ::= SEQUENCE { certId BAG-TYPE.&id,
    certValue [0] EXPLICIT BAG-TYPE.&Type }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("certId", univ.ObjectIdentifier()),
        namedtype.NamedType("certValue", univ.Any().subtype(explicitTag=_context(0))),
    )


class SafeBag(univ.Sequence):  # type: ignore[misc]
    """Section 4.2: SafeBag ::= SEQUENCE { bagId BAG-TYPE.&id,
    bagValue [0] EXPLICIT BAG-TYPE.&Type, bagAttributes SET OF PKCS12Attribute OPTIONAL }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("bagId", univ.ObjectIdentifier()),
        namedtype.NamedType("bagValue", univ.Any().subtype(explicitTag=_context(0))),
        # PKCS12Attribute is RFC 5652's Attribute, as in pyasn1-modules.
        namedtype.OptionalNamedType("bagAttributes", univ.SetOf(componentType=Attribute())),
    )


class SafeContents(univ.SequenceOf):  # type: ignore[misc]
    """Section 4.2: SafeContents ::= SEQUENCE OF SafeBag"""

    componentType = SafeBag()


class AuthenticatedSafe(univ.SequenceOf):  # type: ignore[misc]
    """Section 4.1: AuthenticatedSafe ::= SEQUENCE OF ContentInfo"""

    componentType = ContentInfo()


class MacData(univ.Sequence):  # type: ignore[misc]
    """Section 4: MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING,
    iterations INTEGER DEFAULT 1 }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("mac", DigestInfo()),
        namedtype.NamedType("macSalt", univ.OctetString()),
        namedtype.DefaultedNamedType("iterations", univ.Integer().subtype(value=1)),
    )


class PFX(univ.Sequence):  # type: ignore[misc]
    """Section 4: PFX ::= SEQUENCE { version INTEGER {v3(3)}(v3,...), authSafe ContentInfo,
    macData MacData OPTIONAL }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer(namedValues=namedval.NamedValues(("v3", 3)))),
        namedtype.NamedType("authSafe", ContentInfo()),
        namedtype.OptionalNamedType("macData", MacData()),
    )


# -- RFC 8018 ----------------------------------------------------------------------------------


class PBES2_params(univ.Sequence):  # type: ignore[misc]
    """Appendix A.4: PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier,
    encryptionScheme AlgorithmIdentifier }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("keyDerivationFunc", AlgorithmIdentifier()),
        namedtype.NamedType("encryptionScheme", AlgorithmIdentifier()),
    )


class PBMAC1_params(univ.Sequence):  # type: ignore[misc]
    """Appendix A.5: PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier,
    messageAuthScheme AlgorithmIdentifier }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("keyDerivationFunc", AlgorithmIdentifier()),
        namedtype.NamedType("messageAuthScheme", AlgorithmIdentifier()),
    )


# Appendix B.1.1: algid-hmacWithSHA1, the PRF when PBKDF2-params names none.
algid_hmacWithSHA1 = AlgorithmIdentifier()
algid_hmacWithSHA1["algorithm"] = univ.ObjectIdentifier("1.2.840.113549.2.7")
algid_hmacWithSHA1["parameters"] = univ.Null("")


class PBKDF2_params(univ.Sequence):  # type: ignore[misc]
    """Appendix A.2: PBKDF2-params ::= SEQUENCE {
    salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
    iterationCount INTEGER (1..MAX), keyLength INTEGER (1..MAX) OPTIONAL,
    prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "salt",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("specified", univ.OctetString()),
                    namedtype.NamedType("otherSource", AlgorithmIdentifier()),
                )
            ),
        ),
        namedtype.NamedType(
            "iterationCount",
            univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, MAX)),
        ),
        namedtype.OptionalNamedType(
            "keyLength",
            univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, MAX)),
        ),
        namedtype.DefaultedNamedType("prf", algid_hmacWithSHA1),
    )
