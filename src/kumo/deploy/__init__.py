"""serverless.yml and SAM deployment (comes with the deployment issue)."""
