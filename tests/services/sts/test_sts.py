"""STS through the wire: who is calling, and credentials that kumo then honours."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any

import pytest

from kumo.services.iam.store import lookup_access_key
from tests.services.iam.helpers import ACCOUNT, TRUST_LAMBDA, error_of

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"


@pytest.fixture
def iam(aws_client: Any, sts: Any) -> Any:
    # depends on ``sts`` so that the state is cleaned first
    return aws_client("iam")


@pytest.fixture
def role(iam: Any) -> dict[str, Any]:
    role: dict[str, Any] = iam.create_role(
        RoleName="app", AssumeRolePolicyDocument=TRUST_LAMBDA, MaxSessionDuration=7200
    )["Role"]
    return role


def _as(aws_client: Any, credentials: dict[str, Any], service: str = "sts") -> Any:
    return aws_client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials.get("SessionToken"),
    )


def _expires_in(credentials: dict[str, Any]) -> float:
    return (credentials["Expiration"] - dt.datetime.now(dt.UTC)).total_seconds()


def test_caller_identity_defaults_to_the_account_root(sts: Any) -> None:
    identity = sts.get_caller_identity()
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"] == ROOT_ARN
    assert identity["UserId"] == ACCOUNT


def test_assume_role_issues_temporary_credentials(sts: Any, role: dict[str, Any]) -> None:
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="session-1")
    credentials = out["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) > 100
    assert 3590 < _expires_in(credentials) <= 3600
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:session-1",
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1",
    }


def test_assumed_role_credentials_sign_as_the_session(
    sts: Any, aws_client: Any, role: dict[str, Any]
) -> None:
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="worker")
    identity = _as(aws_client, out["Credentials"]).get_caller_identity()
    assert identity["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]
    assert identity["Account"] == ACCOUNT


def test_issued_credentials_are_stored_for_signature_checks(
    sts: Any, kumo: Any, role: dict[str, Any]
) -> None:
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"]
    record = lookup_access_key(kumo.platform.store, credentials["AccessKeyId"])
    assert record is not None
    assert record["secret_access_key"] == credentials["SecretAccessKey"]
    assert record["session_token"] == credentials["SessionToken"]
    assert record["expiration"] == credentials["Expiration"]
    assert record["account_id"] == ACCOUNT
    assert record["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/ss"
    assert record["user_id"] == f"{role['RoleId']}:ss"
    assert record["role_arn"] == role["Arn"]


def test_a_wrong_session_token_is_refused(sts: Any, aws_client: Any, role: dict[str, Any]) -> None:
    credentials = dict(sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"])
    credentials["SessionToken"] = "forged"
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        _as(aws_client, credentials).get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"


def test_assume_role_honours_duration_seconds(sts: Any, role: dict[str, Any]) -> None:
    short = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=900)
    assert 890 < _expires_in(short["Credentials"]) <= 900
    longer = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=7200)
    assert 7190 < _expires_in(longer["Credentials"]) <= 7200


def test_duration_beyond_the_role_maximum_is_refused(sts: Any, role: dict[str, Any]) -> None:
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=7201)
    assert error_of(excinfo) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )


def test_duration_beyond_twelve_hours_is_a_validation_error(sts: Any, role: dict[str, Any]) -> None:
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=43201)
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 43200",
        400,
    )


def test_invalid_session_name_is_a_validation_error(sts: Any, role: dict[str, Any]) -> None:
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="has space")
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        400,
    )


def test_assuming_a_missing_role_is_access_denied(sts: Any) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/not-there"
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="ss")
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: {ROOT_ARN} is not authorized to perform: sts:AssumeRole on resource: {arn}",
        403,
    )


def test_a_role_arn_must_name_the_role_path(sts: Any, iam: Any) -> None:
    created = iam.create_role(RoleName="deep", Path="/a/b/", AssumeRolePolicyDocument=TRUST_LAMBDA)[
        "Role"
    ]
    out = sts.assume_role(RoleArn=created["Arn"], RoleSessionName="ss")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deep/ss"
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deep", RoleSessionName="ss")
    assert error_of(excinfo)[0] == "AccessDenied"


def test_a_value_that_is_no_arn_is_invalid(sts: Any) -> None:
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn="this-is-not-an-arn-at-all", RoleSessionName="ss")
    assert error_of(excinfo) == ("ValidationError", "Request ARN is invalid", 400)


def test_role_chaining_is_limited_to_one_hour(
    sts: Any, aws_client: Any, role: dict[str, Any]
) -> None:
    first = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="one")["Credentials"]
    chained = _as(aws_client, first)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        chained.assume_role(RoleArn=role["Arn"], RoleSessionName="two", DurationSeconds=7200)
    assert error_of(excinfo) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
        400,
    )
    second = chained.assume_role(RoleArn=role["Arn"], RoleSessionName="two")
    assert second["AssumedRoleUser"]["Arn"].endswith("assumed-role/app/two")


def test_assume_role_records_the_role_last_use(sts: Any, iam: Any, role: dict[str, Any]) -> None:
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")
    last = iam.get_role(RoleName="app")["Role"]["RoleLastUsed"]
    assert last["Region"] == "us-east-1"
    assert abs(last["LastUsedDate"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_session_policy_and_tags_report_packed_size(sts: Any, role: dict[str, Any]) -> None:
    session_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    )
    out = sts.assume_role(
        RoleArn=role["Arn"],
        RoleSessionName="ss",
        Policy=session_policy,
        Tags=[{"Key": "project", "Value": "kumo"}],
        SourceIdentity="alice",
    )
    assert 0 < out["PackedPolicySize"] <= 100
    assert out["SourceIdentity"] == "alice"
    with pytest.raises(sts.exceptions.MalformedPolicyDocumentException):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", Policy="{")


def test_get_session_token_as_root_lasts_at_most_an_hour(sts: Any, aws_client: Any) -> None:
    credentials = sts.get_session_token(DurationSeconds=7200)["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", credentials["AccessKeyId"])
    assert 3590 < _expires_in(credentials) <= 3600
    assert _as(aws_client, credentials).get_caller_identity()["Arn"] == ROOT_ARN


def test_get_session_token_for_a_user(sts: Any, iam: Any, aws_client: Any) -> None:
    user = iam.create_user(UserName="pat")["User"]
    key = iam.create_access_key(UserName="pat")["AccessKey"]
    as_pat = _as(aws_client, key)
    credentials = as_pat.get_session_token()["Credentials"]
    assert 43190 < _expires_in(credentials) <= 43200
    identity = _as(aws_client, credentials).get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (user["Arn"], user["UserId"])


def test_get_session_token_with_session_credentials_is_denied(
    sts: Any, aws_client: Any, role: dict[str, Any]
) -> None:
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"]
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        _as(aws_client, credentials).get_session_token()
    assert error_of(excinfo) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )


def _jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_assume_role_with_web_identity(sts: Any, role: dict[str, Any]) -> None:
    token = _jwt(
        {
            "sub": "repo:me/app",
            "aud": "sts.amazonaws.com",
            "iss": "https://token.actions.githubusercontent.com",
        }
    )
    out = sts.assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="ci", WebIdentityToken=token
    )
    assert out["SubjectFromWebIdentityToken"] == "repo:me/app"
    assert out["Audience"] == "sts.amazonaws.com"
    assert out["Provider"] == "token.actions.githubusercontent.com"
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/ci"
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_assume_role_with_web_identity_refuses_a_non_jwt(sts: Any, role: dict[str, Any]) -> None:
    with pytest.raises(sts.exceptions.InvalidIdentityTokenException) as excinfo:
        sts.assume_role_with_web_identity(
            RoleArn=role["Arn"], RoleSessionName="ci", WebIdentityToken="opaque-access-token"
        )
    assert error_of(excinfo)[0] == "InvalidIdentityToken"


def test_get_federation_token(sts: Any, aws_client: Any) -> None:
    out = sts.get_federation_token(Name="visitor")
    assert out["FederatedUser"] == {
        "FederatedUserId": f"{ACCOUNT}:visitor",
        "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/visitor",
    }
    identity = _as(aws_client, out["Credentials"]).get_caller_identity()
    assert identity["Arn"] == out["FederatedUser"]["Arn"]


def test_get_access_key_info(sts: Any, role: dict[str, Any]) -> None:
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=credentials["AccessKeyId"])["Account"] == ACCOUNT


def _age_session(kumo: Any, access_key_id: str, by: dt.timedelta) -> None:
    """Move a session's expiration into the past, as if time had passed."""
    from kumo.services.iam import store as iam_store

    def age(tx: Any) -> None:
        key = iam_store.get_access_key(tx, access_key_id)
        assert key is not None and key.expiration is not None
        iam_store.delete_access_key(tx, key)
        key.expiration -= by
        iam_store.put_access_key(tx, key)

    kumo.platform.store.write(age)


def test_expired_credentials_are_refused(
    sts: Any, aws_client: Any, kumo: Any, role: dict[str, Any]
) -> None:
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"]
    _age_session(kumo, credentials["AccessKeyId"], dt.timedelta(hours=2))
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        _as(aws_client, credentials).get_caller_identity()
    assert error_of(excinfo)[0] == "ExpiredToken"


def test_long_expired_sessions_are_dropped(sts: Any, kumo: Any, role: dict[str, Any]) -> None:
    old = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="old")["Credentials"]
    _age_session(kumo, old["AccessKeyId"], dt.timedelta(days=3))
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="new")
    assert lookup_access_key(kumo.platform.store, old["AccessKeyId"]) is None
