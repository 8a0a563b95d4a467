"""Who is calling: signatures verified through the wire, in local and require-auth modes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from kumo.config import Settings
from kumo.platform import Platform
from kumo.server import ServerThread
from tests.conftest import RunningKumo

TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}'
)


def _client(url: str, service: str, key: str, secret: str, token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def strict_kumo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningKumo]:
    settings = Settings(port=0, data_dir=tmp_path_factory.mktemp("strict"), require_auth=True)
    platform = Platform(settings)
    server = ServerThread(platform.app)
    server.start()
    try:
        yield RunningKumo(url=server.url, data_dir=settings.data_dir, platform=platform)
    finally:
        server.stop()
        platform.close()


def _signed_at(url: str, key: str, secret: str, when: dt.datetime) -> requests.Response:
    """A GetCallerIdentity request signed by botocore's SigV4 as if at ``when``."""
    request = AWSRequest(
        "POST",
        url + "/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    signer = SigV4Auth(Credentials(key, secret), "sts", "us-east-1")
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    signer._inject_signature_to_request(request, signer.signature(string_to_sign, request))
    return requests.post(url + "/", data=request.body, headers=dict(request.headers), timeout=5)


class TestLocalMode:
    def test_any_key_is_the_default_account_root(self, kumo: RunningKumo) -> None:
        sts = _client(kumo.url, "sts", "AKIAANYTHINGATALL000", "whatever")

        identity = sts.get_caller_identity()

        assert identity["Account"] == "000000000000"
        assert identity["Arn"] == "arn:aws:iam::000000000000:root"

    def test_assumed_role_credentials_act_as_the_role(
        self, kumo: RunningKumo, aws_client: Any
    ) -> None:
        aws_client("iam").create_role(RoleName="auth-role", AssumeRolePolicyDocument=TRUST)
        creds = aws_client("sts").assume_role(
            RoleArn="arn:aws:iam::000000000000:role/auth-role", RoleSessionName="s1"
        )["Credentials"]

        sts = _client(
            kumo.url, "sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        )
        identity = sts.get_caller_identity()

        assert identity["Arn"] == "arn:aws:sts::000000000000:assumed-role/auth-role/s1"
        assert identity["UserId"].endswith(":s1")

    def test_kumo_issued_key_with_wrong_secret_is_refused(
        self, kumo: RunningKumo, aws_client: Any
    ) -> None:
        iam = aws_client("iam")
        iam.create_user(UserName="auth-user")
        key = iam.create_access_key(UserName="auth-user")["AccessKey"]

        good = _client(kumo.url, "sts", key["AccessKeyId"], key["SecretAccessKey"])
        assert good.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/auth-user"

        bad = _client(kumo.url, "sts", key["AccessKeyId"], "not-the-secret")
        with pytest.raises(ClientError) as excinfo:
            bad.get_caller_identity()
        assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"

    def test_session_token_must_match(self, kumo: RunningKumo, aws_client: Any) -> None:
        creds = aws_client("sts").get_session_token()["Credentials"]
        sts = _client(kumo.url, "sts", creds["AccessKeyId"], creds["SecretAccessKey"], "forged")

        with pytest.raises(ClientError) as excinfo:
            sts.get_caller_identity()
        assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"


class TestRequireAuth:
    def test_root_key_is_verified(self, strict_kumo: RunningKumo) -> None:
        root = strict_kumo.platform.root
        sts = _client(strict_kumo.url, "sts", root.access_key_id, root.secret_access_key)

        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"

    def test_unknown_key_is_refused(self, strict_kumo: RunningKumo) -> None:
        sts = _client(strict_kumo.url, "sts", "AKIAUNKNOWNKEY000000", "secret")

        with pytest.raises(ClientError) as excinfo:
            sts.get_caller_identity()
        assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    def test_wrong_secret_is_refused(self, strict_kumo: RunningKumo) -> None:
        root = strict_kumo.platform.root
        iam = _client(strict_kumo.url, "iam", root.access_key_id, "wrong-secret")

        with pytest.raises(ClientError) as excinfo:
            iam.list_roles()
        assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"

    def test_unsigned_request_is_refused(self, strict_kumo: RunningKumo) -> None:
        response = requests.post(
            strict_kumo.url + "/",
            data=b"Action=GetCallerIdentity&Version=2011-06-15",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=5,
        )
        assert response.status_code == 403
        assert "<Code>MissingAuthenticationToken</Code>" in response.text

    def test_clock_skew_beyond_fifteen_minutes_is_refused(self, strict_kumo: RunningKumo) -> None:
        root = strict_kumo.platform.root
        now = dt.datetime.now(dt.UTC)

        fresh = _signed_at(strict_kumo.url, root.access_key_id, root.secret_access_key, now)
        skewed = _signed_at(
            strict_kumo.url,
            root.access_key_id,
            root.secret_access_key,
            now - dt.timedelta(minutes=20),
        )

        assert fresh.status_code == 200, fresh.text
        assert skewed.status_code == 403
        assert "<Code>RequestTimeTooSkewed</Code>" in skewed.text


class TestPresignedUrls:
    @pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
    def test_presigned_url_is_verified(
        self, strict_kumo: RunningKumo, signature_version: str
    ) -> None:
        root = strict_kumo.platform.root
        s3 = boto3.client(
            "s3",
            endpoint_url=strict_kumo.url,
            region_name="us-east-1",
            aws_access_key_id=root.access_key_id,
            aws_secret_access_key=root.secret_access_key,
            config=Config(signature_version=signature_version, s3={"addressing_style": "path"}),
        )
        bucket = f"presigned-{signature_version}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="a/b.txt", Body=b"signed content")
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": "a/b.txt"}, ExpiresIn=300
        )

        verified = requests.get(url, timeout=5)
        tampered = requests.get(url.replace("a/b.txt", "a/c.txt"), timeout=5)

        assert verified.status_code == 200, verified.text
        assert verified.content == b"signed content"
        assert tampered.status_code == 403
        assert "<Code>SignatureDoesNotMatch</Code>" in tampered.text

    def test_expired_presigned_url_is_refused(self, strict_kumo: RunningKumo) -> None:
        root = strict_kumo.platform.root
        s3 = boto3.client(
            "s3",
            endpoint_url=strict_kumo.url,
            region_name="us-east-1",
            aws_access_key_id=root.access_key_id,
            aws_secret_access_key=root.secret_access_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=1
        )
        time.sleep(2.1)
        response = requests.get(url, timeout=5)

        assert response.status_code == 403
        assert "<Code>AccessDenied</Code>" in response.text
        assert "Request has expired" in response.text


class TestJsonServiceErrorCodes:
    def test_dynamodb_names_unknown_keys_and_bad_signatures_its_own_way(
        self, strict_kumo: RunningKumo
    ) -> None:
        root = strict_kumo.platform.root
        unknown = _client(strict_kumo.url, "dynamodb", "AKIAUNKNOWNKEY000000", "secret")
        wrong = _client(strict_kumo.url, "dynamodb", root.access_key_id, "wrong-secret")

        with pytest.raises(ClientError) as unknown_exc:
            unknown.list_tables()
        with pytest.raises(ClientError) as wrong_exc:
            wrong.list_tables()

        assert unknown_exc.value.response["Error"]["Code"] == "UnrecognizedClientException"
        assert wrong_exc.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_inactive_key_is_refused_even_locally(kumo: RunningKumo, aws_client: Any) -> None:
    iam = aws_client("iam")
    iam.create_user(UserName="inactive-user")
    key = iam.create_access_key(UserName="inactive-user")["AccessKey"]
    iam.update_access_key(
        UserName="inactive-user", AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )

    sts = _client(kumo.url, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()

    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
