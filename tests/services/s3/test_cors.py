"""Bucket CORS through boto3, and S3's answers to browsers: preflight OPTIONS and the
Access-Control-* headers on ordinary responses."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

RULES = [
    {
        "ID": "app",
        "AllowedOrigins": ["https://app.example.com"],
        "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["content-type", "x-amz-*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 600,
    },
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]},
]


@pytest.fixture
def cors_bucket(s3: Any, bucket: str) -> str:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    s3.put_object(Bucket=bucket, Key="dir/file.txt", Body=b"hello")
    return bucket


def test_cors_configuration(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.get_bucket_cors(Bucket=bucket)
    assert err.value.response["Error"]["Code"] == "NoSuchCORSConfiguration"
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == RULES
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_cors(Bucket=bucket)


def test_invalid_cors(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={
                "CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]
            },
        )
    assert err.value.response["Error"]["Code"] == "InvalidRequest"
    assert err.value.response["Error"]["Message"] == (
        "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"
    )


def test_preflight_allowed(kumo: Any, cors_bucket: str) -> None:
    response = requests.options(
        f"{kumo.url}/{cors_bucket}/dir/file.txt",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-A",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-meta-a"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert response.headers["Access-Control-Expose-Headers"] == "ETag"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_wildcard_origin(kumo: Any, cors_bucket: str) -> None:
    response = requests.options(
        f"{kumo.url}/{cors_bucket}/dir/file.txt",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_refused(kumo: Any, cors_bucket: str) -> None:
    response = requests.options(
        f"{kumo.url}/{cors_bucket}/dir/file.txt",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "DELETE"},
        timeout=10,
    )
    assert response.status_code == 403
    assert b"<Code>CORSResponse</Code>" in response.content
    assert b"This CORS request is not allowed." in response.content
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_without_cors_configuration(kumo: Any, bucket: str) -> None:
    response = requests.options(
        f"{kumo.url}/{bucket}/k",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert response.status_code == 403
    assert b"CORS is not enabled for this bucket." in response.content


def test_cors_headers_on_get(kumo: Any, cors_bucket: str) -> None:
    response = requests.get(
        f"{kumo.url}/{cors_bucket}/dir/file.txt",
        headers={"Origin": "https://app.example.com"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.content == b"hello"
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response.headers["Access-Control-Expose-Headers"] == "ETag"
    unmatched = requests.delete(
        f"{kumo.url}/{cors_bucket}/nothing",
        headers={"Origin": "https://other.example"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in unmatched.headers
