"""A request body made ready for the service: aws-chunked removed, every digest the client
sent checked, the checksums computed on the way kept for the service to store.

One pass over the body feeds every hasher that is needed: the SHA-256 the client declared in
``x-amz-content-sha256``, ``Content-MD5``, the flexible checksum in an ``x-amz-checksum-*``
header or trailer, and any digest the caller asks for (S3 wants the MD5 for the ETag).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kumo.aws.auth import checksums
from kumo.aws.auth._chunked import ChunkSignatures, decode_chunked
from kumo.aws.auth._common import body_sha256
from kumo.aws.auth._errors import (
    IncompleteBody,
    InvalidArgument,
    InvalidRequest,
    XAmzContentSHA256Mismatch,
)
from kumo.aws.auth._info import (
    STREAMING_ECDSA_PAYLOAD,
    STREAMING_ECDSA_PAYLOAD_TRAILER,
    STREAMING_EVENTS,
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER,
    UNSIGNED_PAYLOAD,
    SignatureKind,
    SigningInfo,
)
from kumo.aws.auth._sigv4 import signing_key
from kumo.aws.http import Body, Headers, HttpRequest

_READ_SIZE = 1024 * 1024
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_MARKERS = (
    UNSIGNED_PAYLOAD,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER,
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_ECDSA_PAYLOAD,
    STREAMING_ECDSA_PAYLOAD_TRAILER,
)
_SIGNED_STREAMING = (
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_ECDSA_PAYLOAD,
    STREAMING_ECDSA_PAYLOAD_TRAILER,
)


@dataclass(frozen=True)
class DecodedPayload:
    """The body as the service should see it, and what was learned reading it.

    ``checksums`` holds every digest computed, base64, keyed by lower-case algorithm
    (``"crc32"``, ``"md5"``); ``client_checksum`` is the ``(algorithm, base64)`` the client
    sent in an ``x-amz-checksum-*`` header or trailer, already verified.
    ``content_encoding`` is the request's ``Content-Encoding`` without ``aws-chunked`` (what
    S3 stores), ``None`` when nothing is left.
    """

    body: Body
    checksums: dict[str, str] = field(default_factory=dict)
    client_checksum: tuple[str, str] | None = None
    content_encoding: str | None = None
    trailers: dict[str, str] = field(default_factory=dict)
    aws_chunked: bool = False

    def hexdigest(self, algorithm: str) -> str:
        """A computed digest in hex (``hexdigest("md5")`` is S3's ETag of a single PUT)."""
        return base64.b64decode(self.checksums[algorithm.lower()]).hex()


def decode_body(request: HttpRequest, info: SigningInfo | None, secret_key: str | None) -> Body:
    """The request body with aws-chunked removed and its digests checked; see
    :func:`decode_payload`."""
    return decode_payload(request, info, secret_key).body


def decode_payload(
    request: HttpRequest,
    info: SigningInfo | None,
    secret_key: str | None,
    *,
    digests: Iterable[str] = (),
) -> DecodedPayload:
    """Decode and check ``request``'s body.

    An aws-chunked body (``Content-Encoding: aws-chunked`` or a ``STREAMING-*``
    ``x-amz-content-sha256``) is decoded into a new spooled :class:`Body` and the encoded
    one is closed; with ``secret_key`` (the signature was verified) every chunk signature
    and the trailer signature are checked too. Any other body is returned as is, rewound,
    after one pass if there is something to check: a hex ``x-amz-content-sha256``
    (``XAmzContentSHA256Mismatch``), ``Content-MD5`` (``InvalidDigest``/``BadDigest``), an
    ``x-amz-checksum-<alg>`` header or trailer (``InvalidRequest``/``BadDigest``), and
    ``x-amz-decoded-content-length`` (``IncompleteBody``). ``digests`` names extra
    algorithms to compute (for example ``("md5",)``).
    """
    body = request.body
    body.seek(0)
    if not digests and _nothing_declared(request.headers, info):
        return DecodedPayload(body=body)  # most API calls: nothing to decode or check
    plan = _Plan.read(request, info, digests)
    if not plan.chunked:
        if plan.hashers:
            while piece := body.read(_READ_SIZE):
                plan.update(piece)
            body.seek(0)
        return plan.finish(body, {})
    if plan.hex_declared is not None:
        _check_sha256(plan.hex_declared, body_sha256(body))
    decoded, spool = Body.spooled()

    def consume(piece: bytes) -> None:
        spool.write(piece)
        plan.update(piece)

    try:
        result = decode_chunked(
            body,
            consume,
            signed=plan.declared in _SIGNED_STREAMING,
            signed_trailer=plan.declared == STREAMING_PAYLOAD_TRAILER,
            signatures=_chain(info, secret_key, plan.declared),
        )
        decoded.rewind()
        _check_decoded_length(
            request.headers.get("x-amz-decoded-content-length"), result.decoded_length
        )
        payload = plan.finish(decoded, result.trailers)
    except BaseException:
        decoded.close()
        raise
    body.close()
    return payload


# the headers that say something about the body's encoding or digests
_BODY_HEADERS = frozenset(
    {
        "content-encoding",
        "content-md5",
        "x-amz-content-sha256",
        "x-amz-decoded-content-length",
        "x-amz-sdk-checksum-algorithm",
        "x-amz-trailer",
    }
)


def _nothing_declared(headers: Headers, info: SigningInfo | None) -> bool:
    if info is not None and info.payload_hash:
        return False
    for name in headers.names():
        if name in _BODY_HEADERS or name.startswith(checksums.CHECKSUM_HEADER_PREFIX):
            return False
    return True


@dataclass
class _Plan:
    """What the headers say about the body: its encoding and every digest to check."""

    headers: Headers
    declared: str | None
    hex_declared: str | None
    chunked: bool
    content_encoding: str | None
    header_checksums: dict[str, str]
    trailer_names: list[str]
    hashers: dict[str, checksums.Checksum]

    @classmethod
    def read(cls, request: HttpRequest, info: SigningInfo | None, digests: Iterable[str]) -> _Plan:
        headers = request.headers
        declared = _declared_sha256(info, headers)
        encodings = [t.strip() for t in headers.get("content-encoding", "").split(",")]
        chunked = "aws-chunked" in (t.lower() for t in encodings) or (
            declared is not None
            and declared.startswith("STREAMING-")
            and declared != STREAMING_EVENTS
        )
        header_checksums = checksums.find_checksum_headers(headers)
        if len(header_checksums) > 1:
            raise InvalidRequest(
                "Expecting a single x-amz-checksum- header. "
                "Multiple checksum Types are not allowed."
            )
        trailer_names = _declared_trailers(headers.get("x-amz-trailer", ""))
        _check_sdk_algorithm(
            headers.get("x-amz-sdk-checksum-algorithm"), header_checksums, trailer_names
        )
        wanted = {a.lower() for a in digests} | set(header_checksums) | set(trailer_names)
        if "content-md5" in headers:
            wanted.add("md5")
        hex_declared = declared if declared and _HEX_SHA256.fullmatch(declared) else None
        if hex_declared and not chunked:
            wanted.add("sha256")
        return cls(
            headers=headers,
            declared=declared,
            hex_declared=hex_declared,
            chunked=chunked,
            content_encoding=stored_content_encoding(headers.get("content-encoding")),
            header_checksums=header_checksums,
            trailer_names=trailer_names,
            hashers={name: checksums.new_checksum(name) for name in sorted(wanted)},
        )

    def update(self, piece: bytes) -> None:
        for hasher in self.hashers.values():
            hasher.update(piece)

    def finish(self, body: Body, trailers: dict[str, str]) -> DecodedPayload:
        """Check every digest the client sent against what was computed."""
        computed = {name: h.digest() for name, h in self.hashers.items()}
        if self.hex_declared is not None and not self.chunked:
            _check_sha256(self.hex_declared, computed["sha256"].hex())
        if "content-md5" in self.headers:
            checksums.verify_content_md5(self.headers["content-md5"], computed["md5"])
        sent = dict(self.header_checksums)
        for name in self.trailer_names:
            header = checksums.checksum_header_name(name)
            if header not in trailers:
                raise InvalidRequest(
                    f"The x-amz-trailer header names {header} but the request body carried "
                    "no such trailer."
                )
            sent[name] = trailers[header]
        client_checksum: tuple[str, str] | None = None
        for name, value in sent.items():
            checksums.verify_checksum(name, checksums.decode_checksum(name, value), computed[name])
            client_checksum = (name, value.strip())
        return DecodedPayload(
            body=body,
            checksums={name: checksums.encode_digest(d) for name, d in computed.items()},
            client_checksum=client_checksum,
            content_encoding=self.content_encoding,
            trailers=trailers,
            aws_chunked=self.chunked,
        )


def _declared_sha256(info: SigningInfo | None, headers: Headers) -> str | None:
    """The ``x-amz-content-sha256`` the client sent (a presigned URL may carry it in the
    query); ``InvalidArgument`` as S3 words it when it is neither a marker nor a hash."""
    declared = info.payload_hash if info is not None and info.payload_hash else None
    declared = declared or headers.get("x-amz-content-sha256")
    if declared is None:
        return None
    declared = declared.strip()
    known = declared in _MARKERS or declared == STREAMING_EVENTS
    if not known and not _HEX_SHA256.fullmatch(declared):
        raise InvalidArgument(
            f"x-amz-content-sha256 must be {', '.join(_MARKERS[:-1])} or {_MARKERS[-1]} "
            "or a valid sha256 value.",
            ArgumentName="x-amz-content-sha256",
            ArgumentValue=declared,
        )
    return declared


def stored_content_encoding(content_encoding: str | None) -> str | None:
    """``Content-Encoding`` without the ``aws-chunked`` token, as S3 stores it."""
    if not content_encoding:
        return None
    tokens = [t.strip() for t in content_encoding.split(",") if t.strip()]
    kept = [t for t in tokens if t.lower() != "aws-chunked"]
    return ",".join(kept) or None


def _declared_trailers(value: str) -> list[str]:
    names: list[str] = []
    for raw in value.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        algorithm = name.removeprefix(checksums.CHECKSUM_HEADER_PREFIX)
        if name == algorithm or not checksums.is_supported(algorithm):
            raise InvalidRequest("The value specified in the x-amz-trailer header is not supported")
        names.append(algorithm)
    return names


def _check_sdk_algorithm(
    value: str | None, header_checksums: dict[str, str], trailer_names: list[str]
) -> None:
    if value is None:
        return
    algorithm = value.strip().lower()
    if not checksums.is_supported(algorithm):
        raise InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
    if algorithm not in header_checksums and algorithm not in trailer_names:
        raise InvalidRequest(
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* "
            "or x-amz-trailer headers were found."
        )


def _chain(
    info: SigningInfo | None, secret_key: str | None, declared: str | None
) -> ChunkSignatures | None:
    """The signature chain to check, when the seed signature was verified with a secret."""
    if (
        info is None
        or secret_key is None
        or info.kind is not SignatureKind.SIGV4
        or declared not in (STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER)
    ):
        return None
    assert info.scope_date and info.region and info.service
    return ChunkSignatures(
        key=signing_key(secret_key, info.scope_date, info.region, info.service),
        timestamp=info.timestamp,
        scope=info.credential_scope,
        previous=info.signature,
    )


def _check_sha256(declared: str, computed: str) -> None:
    if declared.lower() != computed:
        raise XAmzContentSHA256Mismatch(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ClientComputedContentSHA256=declared,
            S3ComputedContentSHA256=computed,
        )


def _check_decoded_length(declared: str | None, decoded: int) -> None:
    if declared is None:
        return
    try:
        expected = int(declared)
    except ValueError:
        raise InvalidArgument(
            "x-amz-decoded-content-length must be a number",
            ArgumentName="x-amz-decoded-content-length",
            ArgumentValue=declared,
        ) from None
    if decoded != expected:
        raise IncompleteBody(
            "You did not provide the number of bytes specified by the "
            "x-amz-decoded-content-length HTTP header",
        )
