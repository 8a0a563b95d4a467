"""(being written) protocol module; defines PARSERS and SERIALIZERS."""

from kumo.aws.protocols.base import RequestParser, ResponseSerializer

PARSERS: list[type[RequestParser]] = []
SERIALIZERS: list[type[ResponseSerializer]] = []
