"""Message signatures: the RSA key pair and self-signed certificate SNS signs with.

kumo makes the key pair once per data dir (``sns-signing-key.pem``, ``sns-signing-cert.pem``)
and serves the certificate under ``/_kumo/sns/<name>.pem``, the SigningCertURL every message
carries, so a subscriber verifies kumo's messages exactly as it verifies AWS's: SignatureVersion
1 is SHA1withRSA, 2 is SHA256withRSA, over the canonical "name\\nvalue\\n" string of the
message's signed fields.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import threading
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

__all__ = ["CERT_FILE", "KEY_FILE", "Signer", "Signing", "canonical", "certificate"]

KEY_FILE = "sns-signing-key.pem"
CERT_FILE = "sns-signing-cert.pem"

# The fields each message type signs, in the order they are written.
_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_SIGNED["UnsubscribeConfirmation"] = _SIGNED["SubscriptionConfirmation"]


def canonical(message: dict[str, str]) -> bytes:
    """The string a message's signature covers (absent optional fields are skipped)."""
    fields = _SIGNED[message["Type"]]
    text = "".join(f"{name}\n{message[name]}\n" for name in fields if name in message)
    return text.encode("utf-8")


class Signer:
    """Signs messages with the data dir's key; knows its certificate."""

    def __init__(self, key: rsa.RSAPrivateKey, cert_pem: bytes) -> None:
        self._key = key
        self.cert_pem = cert_pem
        self.cert_name = _cert_name(cert_pem)

    def sign(self, message: dict[str, str], version: str = "1") -> str:
        algorithm: hashes.HashAlgorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
        signature = self._key.sign(canonical(message), padding.PKCS1v15(), algorithm)
        return base64.b64encode(signature).decode("ascii")

    @classmethod
    def load(cls, data_dir: Path) -> Signer:
        """The data dir's signer, making the key pair and certificate on first use."""
        key_path = data_dir / KEY_FILE
        cert_path = data_dir / CERT_FILE
        if not (key_path.exists() and cert_path.exists()):
            _create(key_path, cert_path)
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return cls(key, cert_path.read_bytes())


def _create(key_path: Path, cert_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # write the certificate first: a reader that sees the key also sees its certificate;
    # both are renamed into place so a crash never leaves half a file
    for path, data, mode in (
        (cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644),
        (key_path, key_pem, 0o600),
    ):
        temp = path.with_suffix(f".tmp{os.getpid()}")
        temp.write_bytes(data)
        temp.chmod(mode)
        temp.replace(path)


class Signing:
    """The signer of one data dir, loaded on first use (key generation takes a moment, so
    the owner may call :meth:`signer` early, off the event loop).

    :meth:`for_data_dir` shares one per data dir in the process: the key lives in files of
    the data dir, and publishers made per call (another service publishing inside its own
    transaction) should not read and parse it each time.
    """

    _shared: ClassVar[dict[Path, Signing]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._signer: Signer | None = None

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Signing:
        resolved = Path(data_dir).resolve()
        with cls._shared_lock:
            signing = cls._shared.get(resolved)
            if signing is None:
                signing = cls._shared[resolved] = cls(resolved)
            return signing

    def signer(self) -> Signer:
        with self._lock:
            if self._signer is None:
                self._signer = Signer.load(self.data_dir)
            return self._signer


def _cert_name(cert_pem: bytes) -> str:
    digest = hashlib.md5(cert_pem, usedforsecurity=False).hexdigest()
    # named like AWS's certificates, so clients that check the name's shape accept it
    return f"SimpleNotificationService-{digest}.pem"


def certificate(data_dir: Path) -> tuple[str, bytes]:
    """The name and PEM of ``data_dir``'s signing certificate (made on first use)."""
    key_path, cert_path = Path(data_dir) / KEY_FILE, Path(data_dir) / CERT_FILE
    if not (key_path.exists() and cert_path.exists()):
        _create(key_path, cert_path)
    pem = cert_path.read_bytes()
    return _cert_name(pem), pem
