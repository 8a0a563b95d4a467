"""The XML writing and reading of shapes shared by the query and rest-xml protocols."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from botocore.model import ServiceModel, Shape

from kumo.aws.models import load_service
from kumo.aws.protocols import _xml

WHEN = dt.datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=dt.UTC)


def _model(shapes: dict[str, object]) -> ServiceModel:
    return ServiceModel(
        {
            "metadata": {"protocol": "rest-xml", "apiVersion": "2020-01-01"},
            "operations": {},
            "shapes": shapes,
        },
        service_name="test",
    )


SHAPES = _model(
    {
        "Doc": {
            "type": "structure",
            "members": {
                "Name": {"shape": "Text"},
                "Tags": {"shape": "TagList"},
                "Flat": {"shape": "FlatList", "locationName": "Item"},
                "Labels": {"shape": "LabelMap"},
                "FlatMap": {"shape": "FlatMap", "locationName": "Attr"},
                "When": {"shape": "Time"},
                "Epoch": {"shape": "EpochTime"},
                "Data": {"shape": "Bytes"},
                "On": {"shape": "Flag"},
                "Ratio": {"shape": "Number"},
                "Kind": {"shape": "Text", "locationName": "xsi:type", "xmlAttribute": True},
                "Header": {"shape": "Text", "location": "header", "locationName": "x-h"},
            },
            "xmlNamespace": {"prefix": "xsi", "uri": "http://www.w3.org/2001/XMLSchema-instance"},
        },
        "Text": {"type": "string"},
        "TagList": {"type": "list", "member": {"shape": "Text", "locationName": "Tag"}},
        "FlatList": {
            "type": "list",
            "member": {"shape": "Text", "locationName": "Entry"},
            "flattened": True,
        },
        "LabelMap": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Text"}},
        "FlatMap": {
            "type": "map",
            "key": {"shape": "Text", "locationName": "Name"},
            "value": {"shape": "Text", "locationName": "Value"},
            "flattened": True,
        },
        "Time": {"type": "timestamp"},
        "EpochTime": {"type": "timestamp", "timestampFormat": "unixTimestamp"},
        "Bytes": {"type": "blob"},
        "Flag": {"type": "boolean"},
        "Number": {"type": "double"},
    }
)

VALUE = {
    "Name": "a<b>&c\r\nd",
    "Tags": ["x", "y"],
    "Flat": ["one", "two"],
    "Labels": {"k": "v"},
    "FlatMap": {"n1": "v1", "n2": "v2"},
    "When": WHEN,
    "Epoch": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    "Data": b"\x00\xffbinary",
    "On": False,
    "Ratio": 2.5,
    "Kind": "CanonicalUser",
    "Header": "not in the body",
}


def _doc() -> Shape:
    return SHAPES.shape_for("Doc")


def test_a_structure_survives_writing_and_reading() -> None:
    data = _xml.document("Doc", _doc(), VALUE, "urn:test")

    read = _xml.read_structure(_doc(), _xml.parse_document(data))

    assert read == {k: v for k, v in VALUE.items() if k != "Header"}


def test_wire_forms_are_those_clients_read() -> None:
    text = _xml.document("Doc", _doc(), VALUE).decode()

    assert "<Tags><Tag>x</Tag><Tag>y</Tag></Tags>" in text
    assert "<Entry>one</Entry><Entry>two</Entry>" in text
    assert "<Labels><entry><key>k</key><value>v</value></entry></Labels>" in text
    assert "<Attr><Name>n1</Name><Value>v1</Value></Attr><Attr><Name>n2</Name>" in text
    assert "<When>2024-02-29T23:59:58.123Z</When>" in text
    assert "<Epoch>1577836800</Epoch>" in text
    assert "<On>false</On>" in text
    assert "<Data>AP9iaW5hcnk=</Data>" in text
    assert 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"' in text
    assert "a&lt;b&gt;&amp;c&#13;\nd" in text
    assert "not in the body" not in text


def test_a_namespace_goes_on_the_root_unless_the_shape_has_its_own() -> None:
    own = _xml.document("Root", _doc(), {"Name": "n"}, "urn:test").decode()
    assert 'xmlns="urn:test"' not in own

    output = load_service("s3").operation_model("GetBucketTagging").output_shape
    given = _xml.document("Tagging", output, {"TagSet": []}, "urn:test").decode()
    assert given.startswith('<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="urn:test">')
    assert "<TagSet></TagSet>" in given


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29T23:59:58Z", dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC)),
        ("2024-02-29T23:59:58.25Z", dt.datetime(2024, 2, 29, 23, 59, 58, 250000, tzinfo=dt.UTC)),
        ("2024-03-01T01:59:58+02:00", dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC)),
        ("Thu, 29 Feb 2024 23:59:58 GMT", dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC)),
        ("1709251198", dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC)),
        ("1709251198.5", dt.datetime(2024, 2, 29, 23, 59, 58, 500000, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_are_read_in_every_form_clients_send(text: str, expected: dt.datetime) -> None:
    parsed = _xml.parse_timestamp(text)

    assert parsed == expected
    assert parsed.tzinfo == dt.UTC


def test_timestamps_are_written_in_the_form_the_model_names() -> None:
    assert _xml.format_timestamp(WHEN) == "2024-02-29T23:59:58.123Z"
    assert _xml.format_timestamp(WHEN, "rfc822") == "Thu, 29 Feb 2024 23:59:58 GMT"
    assert _xml.format_timestamp(WHEN, "unixTimestamp") == "1709251198.123"
    naive = dt.datetime(2024, 2, 29, 23, 59, 58)
    assert _xml.format_timestamp(naive) == "2024-02-29T23:59:58.000Z"


@pytest.mark.parametrize(
    "body",
    [
        b"<Doc><Name>unclosed</Doc>",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Doc><Name>&a;</Name></Doc>',
    ],
)
def test_bodies_that_are_not_plain_xml_are_refused(body: bytes) -> None:
    with pytest.raises(_xml.XmlValueError):
        _xml.parse_document(body)


@pytest.mark.parametrize(
    ("member", "text"),
    [("On", "yes"), ("Ratio", "two"), ("When", "yesterday"), ("Data", "!!!")],
)
def test_values_that_do_not_fit_their_shape_are_refused(member: str, text: str) -> None:
    node = ElementTree.fromstring(f"<Doc><{member}>{text}</{member}></Doc>")

    with pytest.raises(_xml.XmlValueError):
        _xml.read_structure(_doc(), node)


def test_an_empty_element_reads_as_an_empty_string() -> None:
    node = ElementTree.fromstring("<Doc><Name/></Doc>")

    assert _xml.read_structure(_doc(), node) == {"Name": ""}


def test_special_floats_use_the_names_clients_parse() -> None:
    assert _xml.format_float(float("inf")) == "Infinity"
    assert _xml.format_float(float("-inf")) == "-Infinity"
    assert _xml.format_float(float("nan")) == "NaN"
    assert _xml.parse_float("Infinity") == float("inf")
