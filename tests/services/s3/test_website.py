"""Static website hosting: the configuration through boto3, the site through plain HTTP at
``<bucket>.s3-website.localhost`` (Host header) and the DNS-free ``/_website/<bucket>/``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError


@pytest.fixture
def site(s3: Any, bucket: str) -> str:
    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "error.html"},
            "RoutingRules": [
                {
                    "Condition": {"KeyPrefixEquals": "old/"},
                    "Redirect": {"ReplaceKeyPrefixWith": "new/"},
                },
                {
                    "Condition": {"HttpErrorCodeReturnedEquals": "404", "KeyPrefixEquals": "gone/"},
                    "Redirect": {
                        "HostName": "example.com",
                        "Protocol": "https",
                        "HttpRedirectCode": "302",
                    },
                },
            ],
        },
    )
    for key, body in (
        ("index.html", b"<h1>home</h1>"),
        ("docs/index.html", b"<h1>docs</h1>"),
        ("page.html", b"<p>page</p>"),
        ("error.html", b"<p>oops</p>"),
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/html")
    return bucket


def host_get(kumo: Any, host: str, path: str, method: str = "GET") -> requests.Response:
    port = urlsplit(kumo.url).port
    return requests.request(
        method,
        f"{kumo.url}{path}",
        headers={"Host": f"{host}:{port}"},
        allow_redirects=False,
        timeout=10,
    )


def test_configuration(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.get_bucket_website(Bucket=bucket)
    assert err.value.response["Error"]["Code"] == "NoSuchWebsiteConfiguration"
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}
    with pytest.raises(ClientError) as err:
        s3.put_bucket_website(
            Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "a/b"}}
        )
    assert err.value.response["Error"]["Code"] == "InvalidArgument"
    s3.delete_bucket_website(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_website(Bucket=bucket)


def test_index_and_pages_by_host(kumo: Any, site: str) -> None:
    home = host_get(kumo, f"{site}.s3-website.localhost", "/")
    assert home.status_code == 200
    assert home.content == b"<h1>home</h1>"
    assert home.headers["Content-Type"] == "text/html"
    page = host_get(kumo, f"{site}.s3-website-us-east-1.localhost", "/page.html")
    assert page.content == b"<p>page</p>"
    docs = host_get(kumo, f"{site}.s3-website.localhost", "/docs/")
    assert docs.content == b"<h1>docs</h1>"
    folder = host_get(kumo, f"{site}.s3-website.localhost", "/docs")
    assert folder.status_code == 302
    assert folder.headers["Location"] == "/docs/"
    head = host_get(kumo, f"{site}.s3-website.localhost", "/page.html", method="HEAD")
    assert head.status_code == 200


def test_path_form(kumo: Any, site: str) -> None:
    home = requests.get(f"{kumo.url}/_website/{site}/", timeout=10)
    assert home.content == b"<h1>home</h1>"
    docs = requests.get(f"{kumo.url}/_website/{site}/docs", timeout=10)  # follows the 302
    assert docs.content == b"<h1>docs</h1>"


def test_error_document_and_html_errors(kumo: Any, site: str, bucket: str) -> None:
    missing = host_get(kumo, f"{site}.s3-website.localhost", "/missing.html")
    assert missing.status_code == 404
    assert missing.content == b"<p>oops</p>"
    post = host_get(kumo, f"{site}.s3-website.localhost", "/page.html", method="POST")
    assert post.status_code == 405
    assert "text/html" in post.headers["Content-Type"]
    assert b"<li>Code: MethodNotAllowed</li>" in post.content
    nobucket = host_get(kumo, "no-such-bucket-kumo-test.s3-website.localhost", "/")
    assert nobucket.status_code == 404
    assert b"<li>Code: NoSuchBucket</li>" in nobucket.content


def test_no_website_configuration(kumo: Any, s3: Any, new_name: Any) -> None:
    plain = new_name()
    s3.create_bucket(Bucket=plain)
    response = host_get(kumo, f"{plain}.s3-website.localhost", "/")
    assert response.status_code == 404
    assert b"NoSuchWebsiteConfiguration" in response.content


def test_missing_without_error_document(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    response = host_get(kumo, f"{bucket}.s3-website.localhost", "/nothing")
    assert response.status_code == 404
    assert b"<title>404 Not Found</title>" in response.content
    assert b"<li>Code: NoSuchKey</li>" in response.content


def test_routing_rules(kumo: Any, site: str) -> None:
    moved = host_get(kumo, f"{site}.s3-website.localhost", "/old/a.html")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(
        f"{site}.s3-website.localhost:{urlsplit(kumo.url).port}/new/a.html"
    )
    gone = host_get(kumo, f"{site}.s3-website.localhost", "/gone/x")
    assert gone.status_code == 302
    assert gone.headers["Location"] == "https://example.com/gone/x"


def test_redirect_all_requests(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={
            "RedirectAllRequestsTo": {"HostName": "www.example.com", "Protocol": "https"}
        },
    )
    response = host_get(kumo, f"{bucket}.s3-website.localhost", "/a/b.html")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://www.example.com/a/b.html"


def test_cli_website(aws_cli: Any, kumo: Any, bucket: str, s3: Any) -> None:
    aws_cli("s3", "website", f"s3://{bucket}", "--index-document", "index.html")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"hi", ContentType="text/html")
    assert requests.get(f"{kumo.url}/_website/{bucket}/", timeout=10).content == b"hi"


def test_object_redirect_location(kumo: Any, s3: Any, site: str) -> None:
    s3.put_object(Bucket=site, Key="moved.html", Body=b"", WebsiteRedirectLocation="/page.html")
    assert s3.head_object(Bucket=site, Key="moved.html")["WebsiteRedirectLocation"] == "/page.html"
    response = host_get(kumo, f"{site}.s3-website.localhost", "/moved.html")
    assert response.status_code == 301
    assert response.headers["Location"] == "/page.html"


def test_missing_error_document_is_reported(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "404.html"},
        },
    )
    response = host_get(kumo, f"{bucket}.s3-website.localhost", "/nothing")
    assert response.status_code == 404
    assert b"An Error Occurred While Attempting to Retrieve a Custom Error Document" in (
        response.content
    )
    assert b"<li>Key: 404.html</li>" in response.content


def test_cors_headers_on_website(kumo: Any, s3: Any, site: str) -> None:
    s3.put_bucket_cors(
        Bucket=site,
        CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]},
    )
    response = requests.get(
        f"{kumo.url}/_website/{site}/page.html", headers={"Origin": "https://x.example"}, timeout=10
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_invalid_redirect_location(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.put_object(Bucket=bucket, Key="k", Body=b"", WebsiteRedirectLocation="elsewhere")
    assert err.value.response["Error"]["Code"] == "InvalidRedirectLocation"
