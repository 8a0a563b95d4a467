"""The AWS wire: service detection, model-driven protocols, signatures and error shapes.

Nothing in this package knows what S3 or SQS mean; it turns HTTP into typed operation
calls on a provider and the provider's results back into HTTP, as botocore's models say.
"""
