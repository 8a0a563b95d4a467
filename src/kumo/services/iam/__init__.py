"""services/iam"""
